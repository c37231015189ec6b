"""How every mutation answers a refusal: an id that names no row, or a business rule that says
no, comes back in the payload's `errors` and nothing was changed; anything else is a bug."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import strawberry

from billing.errors import BillingRuleError, ErrorCode
from graph.ids import parse_id
from graph.types.common import UserError

Arguments = ParamSpec("Arguments")
AnyPayload = TypeVar("AnyPayload")


def refusals_in(
    payload: Callable[..., AnyPayload],
) -> Callable[
    [Callable[Arguments, Awaitable[AnyPayload]]], Callable[Arguments, Awaitable[AnyPayload]]
]:
    """Make a mutation answer a BillingRuleError as `payload(errors=[...])`."""

    def decorate(
        mutation: Callable[Arguments, Awaitable[AnyPayload]],
    ) -> Callable[Arguments, Awaitable[AnyPayload]]:
        @functools.wraps(mutation)
        async def answer(*args: Arguments.args, **kwargs: Arguments.kwargs) -> AnyPayload:
            try:
                return await mutation(*args, **kwargs)
            except BillingRuleError as error:
                return payload(errors=[UserError.from_rule(error)])

        return answer

    return decorate


def row_id(value: strawberry.ID, what: str, field: str) -> int:
    """The row id the input `field` names; NOT_FOUND ("No such {what}.") where it names none."""
    number = parse_id(value)
    if number is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, f"No such {what}.", field)
    return number
