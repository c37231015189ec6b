"""Custom scalars: money and other decimals travel as strings with at least two decimals."""

from __future__ import annotations

from decimal import Decimal, DecimalException

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError

CENT = Decimal("0.01")


def serialize_decimal(value: Decimal) -> str:
    """Money as "1234.50"; a finer quantity keeps its places ("1.125"), with no trailing zeros
    beyond the second."""
    number = Decimal(value)
    if number.as_tuple().exponent == -2:  # money as the API makes it: already two places
        return f"{number:f}"
    number = number.normalize()
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        number = number.quantize(CENT)
    return f"{number:f}"


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
    description='A decimal number as a string, money with two decimals ("1234.50").',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

SCALAR_MAP = {Decimal: DecimalScalar}
