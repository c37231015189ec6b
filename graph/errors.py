"""Top-level GraphQL errors a client can act on, each with a code in `extensions.code`."""

from __future__ import annotations

from graphql import GraphQLError

from billing.errors import BillingRuleError

FORBIDDEN = "FORBIDDEN"
INVALID_INPUT = "INVALID_INPUT"
NOT_FOUND = "NOT_FOUND"


class ClientError(GraphQLError):
    """An error in what the client asked for, not a fault of the server."""

    code = INVALID_INPUT

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        extensions: dict[str, object] = {"code": code or self.code}
        if field is not None:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)

    @classmethod
    def from_rule(cls, error: BillingRuleError) -> ClientError:
        return cls(error.message, code=error.code.value, field=error.field)


class InvalidInput(ClientError):
    code = INVALID_INPUT


class NotFound(ClientError):
    code = NOT_FOUND


def is_unexpected(error: GraphQLError) -> bool:
    """A fault of the server (a bug, a lost database) rather than an error the client can act on;
    such errors reach the client without their details."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)
