"""What the API tells about its own schema: introspection and "Did you mean …?" suggestions are
on in development and off in production unless ISPBOX_GRAPHQL_INTROSPECTION turns them on."""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

# graphql-core appends its suggestions as a last sentence: " Did you mean 'x' or 'y'?"
SUGGESTION = re.compile(r"\s*Did you mean .*\?\s*$", re.DOTALL)


def without_suggestion(error: GraphQLError) -> GraphQLError:
    """The error with its "Did you mean …?" sentence taken out (a copy: validation errors are
    cached and shared between requests)."""
    message = SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class SchemaDisclosure(SchemaExtension):
    """Refuses introspection and drops suggestions where the settings say the schema is not to
    be disclosed. Operations run without the API's context (schema export) are not limited."""

    def _disclosed(self) -> bool:
        settings = getattr(self.execution_context.context, "settings", None)
        return settings is None or settings.introspection_enabled

    def on_operation(self) -> Iterator[None]:
        disclosed = self._disclosed()
        if not disclosed:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield
        result = self.execution_context.result
        if not disclosed and getattr(result, "errors", None):
            result.errors = [without_suggestion(error) for error in result.errors]
