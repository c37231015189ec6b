"""The Decimal scalar: money as strings with two decimals, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from strawberry.exceptions import StrawberryInputCoercionError

from graph.scalars import parse_decimal, serialize_decimal


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.5"), "1234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-4.7"), "-4.70"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("1.000"), "1.00"),
        (Decimal("1.125"), "1.125"),
        (Decimal("12345678901234.99"), "12345678901234.99"),
    ],
)
def test_decimals_serialize_with_at_least_two_places(value: Decimal, text: str) -> None:
    assert serialize_decimal(value) == text


def test_decimal_input_is_parsed_exactly() -> None:
    assert parse_decimal("0.10") + parse_decimal("0.20") == Decimal("0.30")
    assert parse_decimal(7) == Decimal(7)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", 1.5, True, None])
def test_anything_but_a_finite_decimal_is_refused(value: object) -> None:
    with pytest.raises(StrawberryInputCoercionError):
        parse_decimal(value)
