"""Checks of plain setting values that several domains' settings share: yes/no, and percents."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from billing.money import decimal_places

MAX_PERCENT = Decimal(100)


def flag_problem(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def optional_percent_rule(places: int) -> Callable[[Any], str | None]:
    """A rule for None, or a percent from 0 to 100 with at most `places` decimal places."""

    def problem(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            return "must be a decimal percent"
        try:
            percent = Decimal(value)
        except InvalidOperation:
            return "must be a decimal percent"
        if not percent.is_finite() or not 0 <= percent <= MAX_PERCENT:
            return "must be a percent from 0 to 100"
        if decimal_places(percent) > places:
            return f"must have at most {places} decimal places"
        return None

    return problem
