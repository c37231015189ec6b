"""Small types shared by several others: page info, action states, user errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import strawberry

from billing.errors import BillingRuleError
from graph.types.enums import ErrorCode


class Edge(Protocol):
    cursor: str


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def of(cls, edges: Sequence[Edge], *, has_next_page: bool) -> PageInfo:
        """The page info of a page of these edges: it ends at the last one's cursor."""
        return cls(has_next_page=has_next_page, end_cursor=edges[-1].cursor if edges else None)


@strawberry.type
class ActionState:
    allowed: bool
    reason: str | None = strawberry.field(
        description="Why not, in words a person understands; null where allowed."
    )

    @classmethod
    def allow(cls) -> ActionState:
        return cls(allowed=True, reason=None)

    @classmethod
    def refuse(cls, reason: str) -> ActionState:
        return cls(allowed=False, reason=reason)


@strawberry.type(description="A business rule that refused a mutation; nothing was changed.")
class UserError:
    code: ErrorCode
    message: str
    field: str | None = strawberry.field(description="The input field at fault, where one is.")

    @classmethod
    def from_rule(cls, error: BillingRuleError) -> UserError:
        return cls(code=ErrorCode(error.code.value), message=error.message, field=error.field)

    @classmethod
    def not_found(cls, what: str, field: str) -> UserError:
        return cls(code=ErrorCode.NOT_FOUND, message=f"No such {what}.", field=field)
