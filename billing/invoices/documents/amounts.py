"""Amounts, rates and quantities as documents write them: exact for XML, Babel for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

# Unit prices may need more digits than the currency has (a net price taken out of a gross one).
UNIT_PRICE_EXTRA_DIGITS = 4


def to_decimal(minor_units: int, exponent: int) -> Decimal:
    """Minor units as a Decimal with exactly the currency's digits."""
    return Decimal(minor_units).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def xml_amount(minor_units: int, exponent: int) -> str:
    """An amount with exactly the currency's digits: 1234 → "12.34" (EUR), "1234" (JPY).

    EN 16931 caps amounts at 2 decimals (BR-DEC rules). A 3-digit currency (BHD, KWD) is still
    written with its 3 digits: rounding would make the e-invoice disagree with the amount owed and
    the PDF; such documents pass the XSD and would be flagged only by the BR-DEC Schematron rules.
    """
    return str(to_decimal(minor_units, exponent))


def plain_decimal(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 20.00 → "20", 7.50 → "7.5"."""
    normal = value.normalize()
    if normal.as_tuple().exponent > 0:
        normal = normal.quantize(Decimal(1))
    return format(normal, "f")


def quantity_and_unit_price(net_amount: int, quantity: Decimal, exponent: int) -> tuple[str, str]:
    """Quantity (BT-129) and net unit price (BT-146) of a line for XML.

    The price is the line's net over its quantity, with up to 4 digits past the currency's. A price
    may not be negative (BR-27): a credit line (net below zero) is written as a negative quantity.
    """
    if quantity == 0:
        return plain_decimal(quantity), xml_amount(0, exponent)
    places = Decimal(1).scaleb(-(exponent + UNIT_PRICE_EXTRA_DIGITS))
    price = (to_decimal(net_amount, exponent) / quantity).quantize(places, ROUND_HALF_UP)
    if price < 0:
        price, quantity = -price, -quantity
    return plain_decimal(quantity), _at_least_digits(price, exponent)


def _at_least_digits(value: Decimal, exponent: int) -> str:
    whole, _, fraction = format(value, "f").partition(".")
    fraction = fraction.rstrip("0").ljust(exponent, "0")
    return f"{whole}.{fraction}" if fraction else whole


def display_amount(minor_units: int, exponent: int, currency: str, locale: str) -> str:
    """An amount for people: "1,234.50 EUR" ("1.234,50 EUR" in German), the currency's digits."""
    pattern = "#,##0." + "0" * exponent if exponent else "#,##0"
    number = format_decimal(to_decimal(minor_units, exponent), format=pattern, locale=locale)
    return f"{number} {currency}"


def display_rate(rate: Decimal, locale: str) -> str:
    """A tax rate for people: "20 %", "7,7 %"."""
    return f"{format_decimal(rate.normalize(), format='#,##0.####', locale=locale)} %"


def display_quantity(quantity: Decimal, locale: str) -> str:
    return format_decimal(quantity, format="#,##0.######", locale=locale)
