"""Top-level GraphQL errors a client can act on, each with a code in `extensions.code`, and how
errors are logged and masked."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from billing.errors import BillingRuleError
from graph.request_id import current_request_id

logger = logging.getLogger("graph.errors")

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


def is_expected(error: GraphQLError) -> bool:
    """An error in what the client sent (a ClientError, a validation or parsing error)."""
    return not is_unexpected(error)


def log_operation_errors(errors: list[GraphQLError]) -> None:
    """Expected errors as one line each; unexpected ones with their traceback; both with the
    request id."""
    request_id = current_request_id() or "-"
    for error in errors:
        if is_expected(error):
            code = (error.extensions or {}).get("code", INVALID_INPUT)
            path = ".".join(str(part) for part in error.path or ()) or "-"
            logger.info("request %s: %s at %s: %s", request_id, code, path, error.message)
        else:
            logger.error(
                "request %s: unexpected error: %s",
                request_id,
                error.message,
                exc_info=error.original_error,
            )


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected errors reach the client as "Unexpected error." with the request id in
    `extensions.requestId`, which the server's log line also names."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        request_id = current_request_id()
        if request_id is not None:
            masked.extensions = {"requestId": request_id}
        return masked


class ProductSchema(strawberry.Schema):
    """The schema, logging its errors by kind (see log_operation_errors)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_operation_errors(errors)
