"""The Decimal scalar: money with its currency's digits, quantities with at least two places,
never a float; money given to the API with more places than its currency is INVALID_INPUT."""

from __future__ import annotations

from decimal import Decimal

import pytest
import strawberry
from strawberry.exceptions import StrawberryInputCoercionError

from billing.money import from_minor_units
from graph.scalars import SCALAR_MAP, money_input, parse_decimal, quantity_value, serialize_decimal


@pytest.mark.parametrize(
    ("units", "currency", "text"),
    [
        (123450, "USD", "1234.50"),
        (5000, "JPY", "5000"),
        (12345, "BHD", "12.345"),
        (12300, "BHD", "12.300"),
        (12300, "KWD", "12.300"),
        (0, "USD", "0.00"),
        (0, "JPY", "0"),
        (-470, "EUR", "-4.70"),
        (2**63 - 1, "USD", "92233720368547758.07"),
    ],
)
def test_money_serializes_with_exactly_its_currency_digits(
    units: int, currency: str, text: str
) -> None:
    assert serialize_decimal(from_minor_units(units, currency)) == text


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (Decimal("1"), "1.00"),
        (Decimal("1.000"), "1.00"),
        (Decimal("2.500"), "2.50"),
        (Decimal("1.125"), "1.125"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("12345678901234.99"), "12345678901234.99"),
    ],
)
def test_quantities_serialize_with_at_least_two_places(quantity: Decimal, text: str) -> None:
    assert serialize_decimal(quantity_value(quantity)) == text


def test_decimal_input_is_parsed_exactly() -> None:
    assert parse_decimal("0.10") + parse_decimal("0.20") == Decimal("0.30")
    assert parse_decimal(7) == Decimal(7)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", 1.5, True, None])
def test_anything_but_a_finite_decimal_is_refused(value: object) -> None:
    with pytest.raises(StrawberryInputCoercionError):
        parse_decimal(value)


@strawberry.type
class _Query:
    @strawberry.field
    def minor_units(self, amount: Decimal, currency: str) -> str:
        return str(money_input(amount, currency, "amount"))


MONEY_SCHEMA = strawberry.Schema(query=_Query, scalar_overrides=SCALAR_MAP)
MINOR_UNITS = """query($amount: Decimal!, $currency: String!) {
  minorUnits(amount: $amount, currency: $currency)
}"""


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("49.99", "USD", "4999"), ("5000", "JPY", "5000"), ("1.234", "BHD", "1234")],
)
def test_money_input_becomes_the_currency_minor_units(
    amount: str, currency: str, units: str
) -> None:
    result = MONEY_SCHEMA.execute_sync(MINOR_UNITS, {"amount": amount, "currency": currency})
    assert result.errors is None
    assert result.data == {"minorUnits": units}


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("49.999", "USD"), ("5000.5", "JPY"), ("1.2345", "BHD"), ("92233720368547758.08", "USD")],
)
def test_money_input_that_does_not_fit_its_currency_is_invalid_input(
    amount: str, currency: str
) -> None:
    result = MONEY_SCHEMA.execute_sync(MINOR_UNITS, {"amount": amount, "currency": currency})
    assert result.errors is not None and len(result.errors) == 1
    error = result.errors[0]
    assert error.extensions == {"code": "INVALID_INPUT", "field": "amount"}
    assert error.message.startswith("amount: ") and amount in error.message
