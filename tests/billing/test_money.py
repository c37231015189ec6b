"""Money in ISO 4217 minor units: converted with exactly the currency's digits, never rounded,
refused where it cannot be stored, formatted for people with Babel."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lines import InvoiceLineKind
from billing.money import (
    MAX_MINOR_UNITS,
    AmountError,
    format_money,
    from_minor_units,
    line_amount_cents,
    minor_unit_digits,
    to_minor_units,
)
from billing.runs.decide import ClientBill, LineDraft


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("USD", 2), ("EUR", 2), ("HUF", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3), ("KWD", 3)],
)
def test_minor_unit_digits_come_from_iso_4217(currency: str, digits: int) -> None:
    assert minor_unit_digits(currency) == digits


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("49.99", "USD", 4999),
        ("5000", "JPY", 5000),
        ("1.234", "BHD", 1234),
        ("12.345", "KWD", 12345),
        ("49.9", "USD", 4990),
        ("-3", "USD", -300),
        ("0", "JPY", 0),
    ],
)
def test_amounts_convert_to_the_currency_minor_units(
    amount: str, currency: str, units: int
) -> None:
    assert to_minor_units(amount, currency) == units
    assert to_minor_units(Decimal(amount), currency) == units


@pytest.mark.parametrize(
    ("units", "currency", "text"),
    [
        (4999, "USD", "49.99"),
        (5000, "JPY", "5000"),
        (1234, "BHD", "1.234"),
        (12300, "BHD", "12.300"),
    ],
)
def test_minor_units_become_amounts_with_exactly_the_currency_digits(
    units: int, currency: str, text: str
) -> None:
    assert str(from_minor_units(units, currency)) == text


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("49.999", "USD"), ("0.001", "EUR"), ("5000.5", "JPY"), ("1.2345", "BHD"), ("1E-9", "USD")],
)
def test_more_places_than_the_currency_has_are_refused_not_rounded(
    amount: str, currency: str
) -> None:
    with pytest.raises(AmountError, match="more decimal places than"):
        to_minor_units(amount, currency)


@pytest.mark.parametrize("currency", ["ABC", "US", "", "XXX", "XAU"])
def test_a_currency_iso_4217_has_no_minor_unit_for_is_refused(currency: str) -> None:
    with pytest.raises(AmountError, match="ISO 4217"):
        to_minor_units("1", currency)


@pytest.mark.parametrize("amount", ["abc", "NaN", "Infinity", "", 1.5, None])
def test_anything_but_a_finite_decimal_is_refused(amount: object) -> None:
    with pytest.raises(AmountError):
        to_minor_units(amount, "USD")  # type: ignore[arg-type]


def test_the_largest_storable_amount_is_accepted() -> None:
    assert to_minor_units("92233720368547758.07", "USD") == MAX_MINOR_UNITS
    assert to_minor_units("-92233720368547758.07", "USD") == -MAX_MINOR_UNITS
    assert to_minor_units(str(MAX_MINOR_UNITS), "JPY") == MAX_MINOR_UNITS


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("92233720368547758.08", "USD"),
        ("-92233720368547758.08", "USD"),
        ("9223372036854775808", "JPY"),
        ("9223372036854775.808", "BHD"),
        ("1E+999999999", "USD"),
    ],
)
def test_amounts_beyond_64_bit_minor_units_are_refused_with_the_amount(
    amount: str, currency: str
) -> None:
    with pytest.raises(
        AmountError, match=re.escape(f"the amount {amount} {currency} is too large to store")
    ):
        to_minor_units(amount, currency)


def test_a_refused_amount_is_invalid_input_for_the_api_and_a_value_error_for_the_import() -> None:
    with pytest.raises(AmountError) as refused:
        to_minor_units("49.999", "USD")
    assert isinstance(refused.value, BillingRuleError) and isinstance(refused.value, ValueError)
    assert refused.value.code == ErrorCode.INVALID_INPUT


def test_price_times_quantity_beyond_64_bits_is_refused() -> None:
    assert line_amount_cents(MAX_MINOR_UNITS, Decimal(1)) == MAX_MINOR_UNITS
    with pytest.raises(AmountError, match="too large to store"):
        line_amount_cents(MAX_MINOR_UNITS // 2 + 1, Decimal(2))


def test_an_invoice_total_beyond_64_bits_is_refused() -> None:
    line = LineDraft(
        kind=InvoiceLineKind.ONE_TIME_CHARGE,
        description="Backbone",
        quantity=Decimal(1),
        unit_price_cents=MAX_MINOR_UNITS,
        amount_cents=MAX_MINOR_UNITS,
    )
    bill = ClientBill(client_id=1, lines=[line, line])
    with pytest.raises(AmountError, match="too large to store"):
        _ = bill.total_cents


@pytest.mark.parametrize(
    ("units", "currency", "locale", "text"),
    [
        (123450, "USD", "en_US", "1,234.50 USD"),
        (500000, "JPY", "en_US", "500,000 JPY"),
        (12300, "BHD", "en_US", "12.300 BHD"),
        (123450, "EUR", "de_DE", "1.234,50 EUR"),
        (-5, "USD", "en_US", "-0.05 USD"),
    ],
)
def test_money_is_formatted_for_people_with_the_currency_digits(
    units: int, currency: str, locale: str, text: str
) -> None:
    assert format_money(units, currency, locale) == text


@given(
    units=st.integers(min_value=-MAX_MINOR_UNITS, max_value=MAX_MINOR_UNITS),
    currency=st.sampled_from(["USD", "JPY", "BHD", "CLF", "EUR"]),
)
def test_minor_units_round_trip_through_their_amount(units: int, currency: str) -> None:
    amount = from_minor_units(units, currency)
    assert -amount.as_tuple().exponent == minor_unit_digits(currency)
    assert to_minor_units(amount, currency) == units
    assert to_minor_units(str(amount), currency) == units
