"""The schema: queries, mutations and the run-progress subscription, with abuse limits."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError, parse
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_operation_type

from graph.context import FreshContext
from graph.cost import QueryCostLimit
from graph.errors import MaskUnexpectedErrors, ProductSchema
from graph.introspection import SchemaDisclosure
from graph.mutations import Mutation
from graph.queries import Query
from graph.scalars import SCALAR_MAP
from graph.subscriptions import Subscription

# The list page's deepest query (an invoice's run's client's name) is 6 levels deep.
MAX_QUERY_DEPTH = 10
# Well above the introspection query GraphiQL sends (about 300 tokens).
MAX_TOKENS = 5000
MAX_ALIASES = 30
# Clients send the same few documents again and again: each is parsed and validated once.
CACHED_DOCUMENTS = 256
# The limits' validation rules, made once: the validation cache knows a document by its rules too.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]

QUERY_TIMEOUT = "QUERY_TIMEOUT"
DEFAULT_QUERY_TIMEOUT_SECONDS = 10.0


# Whether a document's operation is a query, by the document's digest and operation name.
_READS_ONLY: OrderedDict[tuple[str, str | None], bool] = OrderedDict()


def _reads_only(query: str, operation_name: str | None) -> bool:
    """Whether the document's chosen operation is a query (False where it cannot be told: the
    execution reports why)."""
    key = (hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest(), operation_name)
    if key not in _READS_ONLY:
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
            kind = get_operation_type(document, operation_name)
        except (GraphQLError, RuntimeError):
            kind = None
        _READS_ONLY[key] = kind == OperationType.QUERY
        if len(_READS_ONLY) > CACHED_DOCUMENTS:
            _READS_ONLY.popitem(last=False)
    return _READS_ONLY[key]


def _timeout_seconds(context: Any) -> float:
    settings = getattr(context, "settings", None)
    return getattr(settings, "query_timeout_seconds", DEFAULT_QUERY_TIMEOUT_SECONDS)


def timed_out(seconds: float) -> ExecutionResult:
    error = GraphQLError(
        f"The query took longer than {seconds:g} s and was stopped: ask for less at once.",
        extensions={"code": QUERY_TIMEOUT},
    )
    return ExecutionResult(data=None, errors=[error])


class Schema(ProductSchema):
    """The schema, its errors logged by kind, with a time limit on queries. Mutations are never
    cut: one stopped between its commit and its answer would leave the client guessing what was
    done, and their work is bounded by their own rules."""

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        execution = super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        well_formed = isinstance(query, str) and isinstance(operation_name, str | None)
        if not (query and well_formed and _reads_only(query, operation_name)):
            return await execution
        seconds = _timeout_seconds(context_value)
        try:
            async with asyncio.timeout(seconds):
                return await execution
        except TimeoutError:
            return timed_out(seconds)


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
        SchemaDisclosure,
        QueryCostLimit,
        MaskUnexpectedErrors,
        FreshContext,
    ],
)
