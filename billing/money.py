"""Money: Decimal at the edges, integer minor units of its currency in the tables.

A currency's minor unit comes from ISO 4217 (`iso4217`): USD and EUR have 2 digits (cents), JPY
none, BHD and KWD 3. Tables hold integers, so sums in SQL are exact on any database; an amount
is converted with exactly its currency's digits, and one with more is refused, never rounded.
Amounts are formatted for people with Babel.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import iso4217
from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, format_decimal

from billing.errors import BillingRuleError, ErrorCode

# Minor units are stored in 64-bit integer columns (BIGINT on PostgreSQL, INTEGER on SQLite).
MAX_MINOR_UNITS = 2**63 - 1
MAX_MINOR_UNITS_DIGITS = len(str(MAX_MINOR_UNITS))
DEFAULT_LOCALE = "en_US"
# The minor unit of the two-digit currencies (USD, EUR, CAD).
CENT = Decimal("0.01")


class AmountError(BillingRuleError, ValueError):
    """An amount that is not money of its currency: not a number, more digits than the currency
    has, too large to store, or in a currency ISO 4217 does not know."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(ErrorCode.INVALID_INPUT, message, field)


@lru_cache(maxsize=512)
def minor_unit_digits(currency: str) -> int:
    """How many decimal digits the currency's minor unit has (USD 2, JPY 0, BHD 3)."""
    try:
        exponent = iso4217.Currency(currency.upper()).exponent
    except (ValueError, AttributeError):
        raise AmountError(f"{currency!r} is not an ISO 4217 currency code") from None
    if exponent is None:
        # Gold, SDR, test and "no currency" codes have no minor unit: not invoice money.
        raise AmountError(f"{currency} has no minor unit in ISO 4217: it cannot be invoiced")
    return exponent


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest amount as a Decimal: 0.01 for USD, 1 for JPY, 0.001 for BHD."""
    return Decimal(1).scaleb(-minor_unit_digits(currency))


def to_minor_units(amount: Decimal | str | int, currency: str) -> int:
    """The amount in the currency's minor units ("49.99" USD → 4999, "5000" JPY → 5000,
    "1.234" BHD → 1234). Raises AmountError for anything that is not a finite number, has more
    decimal places than the currency, or is too large to store."""
    value = _decimal(amount)
    digits = minor_unit_digits(currency)
    if decimal_places(value) > digits:
        raise AmountError(
            f"{amount} has more decimal places than {currency.upper()} has ({digits})"
        )
    # Checked before converting: "1e999999999" must not become a billion-digit integer.
    if value and value.adjusted() + digits >= MAX_MINOR_UNITS_DIGITS:
        raise AmountError(f"the amount {amount} {currency.upper()} is too large to store")
    return checked_minor_units(int(value.scaleb(digits)), currency)


def decimal_places(value: Decimal) -> int:
    """How many decimal places the value needs, trailing zeros aside ("49.90" → 1, "5000" → 0)."""
    if not value:
        return 0
    _, coefficient, exponent = value.as_tuple()
    significant = "".join(map(str, coefficient)).rstrip("0")
    return max(0, -(int(exponent) + len(coefficient) - len(significant)))


def from_minor_units(units: int, currency: str) -> Decimal:
    """The Decimal amount of integer minor units, with exactly the currency's digits
    (4999 USD → 49.99, 5000 JPY → 5000, 12300 BHD → 12.300)."""
    return Decimal(units).scaleb(-minor_unit_digits(currency))


def checked_minor_units(units: int, currency: str = "") -> int:
    """The units, where a 64-bit column can hold them; AmountError naming the amount if not."""
    if -MAX_MINOR_UNITS <= units <= MAX_MINOR_UNITS:
        return units
    amount = f"{from_minor_units(units, currency)} {currency.upper()}" if currency else units
    raise AmountError(f"the amount {amount} is too large to store")


def total_minor_units(amounts: Iterable[int]) -> int:
    """The sum of amounts in minor units, refused where it is too large to store."""
    return checked_minor_units(sum(amounts))


@lru_cache(maxsize=4096)  # a tenant has few distinct prices and quantities
def line_amount_cents(unit_price_cents: int, quantity: Decimal) -> int:
    """Price × quantity in minor units, rounded half up to the minor unit (quantities may be
    fractional); AmountError where the product is too large to store."""
    product = Decimal(unit_price_cents) * quantity
    if abs(product) > MAX_MINOR_UNITS:
        raise AmountError(
            f"price × quantity ({unit_price_cents} minor units × {quantity}) is too large to store"
        )
    return checked_minor_units(int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def format_money(units: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """The amount for people, in the locale's digits and separators with exactly the currency's
    minor digits, followed by its ISO code, which no other currency shares ("1,234.50 USD",
    "5,000 JPY", "12.300 BHD"; "1.234,50 EUR" in de_DE)."""
    digits = minor_unit_digits(currency)
    pattern = copy(_number_pattern(locale))
    pattern.frac_prec = (digits, digits)
    amount = format_decimal(from_minor_units(units, currency), format=pattern, locale=locale)
    return f"{amount} {currency.upper()}"


def _number_pattern(locale: str) -> NumberPattern:
    try:
        return Locale.parse(locale).decimal_formats[None]
    except (UnknownLocaleError, ValueError, TypeError):
        raise AmountError(f"{locale!r} is not a locale Babel knows") from None


def _decimal(amount: Decimal | str | int) -> Decimal:
    if isinstance(amount, float | bool):
        raise AmountError(f"an amount must be a decimal, not {type(amount).__name__} {amount!r}")
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise AmountError(f"not a decimal amount: {amount!r}") from None
    if not value.is_finite():
        raise AmountError(f"not a finite amount: {amount!r}")
    return value


def to_cents(amount: Decimal | str | int) -> int:
    """Minor units of an amount in a two-digit currency (USD, EUR); `to_minor_units` for any
    other."""
    return to_minor_units(amount, "USD")
