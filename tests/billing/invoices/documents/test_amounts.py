"""Amounts in documents: the currency's digits in XML, Babel's conventions for people."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.invoices.documents.amounts import (
    display_amount,
    plain_decimal,
    quantity_and_unit_price,
    xml_amount,
)


@pytest.mark.parametrize(
    ("minor", "exponent", "written"),
    [(123456, 2, "1234.56"), (5, 2, "0.05"), (-5, 2, "-0.05"), (5480, 0, "5480"), (1, 3, "0.001")],
)
def test_xml_amounts_have_exactly_the_currencys_digits(minor, exponent, written):
    assert xml_amount(minor, exponent) == written


def test_amounts_for_people_follow_the_locale():
    assert display_amount(123456, 2, "EUR", "en") == "1,234.56 EUR"
    assert display_amount(123456, 2, "EUR", "de") == "1.234,56 EUR"
    assert display_amount(123456, 0, "JPY", "en") == "123,456 JPY"


def test_rates_are_written_without_trailing_zeros():
    assert [plain_decimal(Decimal(r)) for r in ("20.00", "7.70", "0.0", "2E+1")] == [
        "20",
        "7.7",
        "0",
        "20",
    ]


def test_unit_price_times_quantity_gives_the_line():
    assert quantity_and_unit_price(1000, Decimal(3), 2) == ("3", "3.333333")
    assert quantity_and_unit_price(500, Decimal("0.5"), 2) == ("0.5", "10.00")
    assert quantity_and_unit_price(-500, Decimal(1), 0) == ("-1", "500")
