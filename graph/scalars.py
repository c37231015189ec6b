"""Custom scalars: money and other decimals travel as strings, never floats.

A Decimal is serialized with exactly the digits it carries: money is built with its currency's
minor digits (`from_minor_units`: "1234.50" USD, "5000" JPY, "12.345" BHD), since the scalar
itself cannot know the currency, and quantities are built with `quantity_value`.
"""

from __future__ import annotations

from decimal import Decimal, DecimalException

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError

from billing.money import AmountError, to_minor_units
from graph.errors import InvalidInput

CENT = Decimal("0.01")


def serialize_decimal(value: Decimal) -> str:
    """The decimal in plain notation with the places it was given ("12.300" stays "12.300")."""
    return f"{Decimal(value):f}"


def quantity_value(quantity: Decimal) -> Decimal:
    """A quantity as the API shows it: its own places, at least two ("1.00", "2.50", "1.125")."""
    number = Decimal(quantity).normalize()
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return number.quantize(CENT)
    return number


def money_input(amount: Decimal, currency: str, field: str) -> int:
    """An amount given to the API, in the currency's minor units; INVALID_INPUT naming the field
    where it has more places than the currency or is too large to store (never rounded)."""
    try:
        return to_minor_units(amount, currency)
    except AmountError as error:
        raise InvalidInput(f"{field}: {error.message}", field=field) from None


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise StrawberryInputCoercionError(
            f'Decimal expects a string such as "12.50", not {value!r}.'
        )
    try:
        number = Decimal(value)
    except DecimalException:
        raise StrawberryInputCoercionError(f"{value!r} is not a decimal number.") from None
    if not number.is_finite():
        raise StrawberryInputCoercionError(f"{value!r} is not a finite decimal number.")
    return number


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description="A decimal number as a string: money with exactly its currency's minor digits "
    '(ISO 4217: "1234.50" USD, "5000" JPY, "12.345" BHD), quantities with at least two '
    '("1.00", "1.125").',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

SCALAR_MAP = {Decimal: DecimalScalar}
