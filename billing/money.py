"""Money: Decimal at the edges, integer cents in the tables (exact sums on any database)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

CENT = Decimal("0.01")


def to_cents(amount: Decimal | str | int) -> int:
    """Whole cents of an amount, rounding half up; raises ValueError on anything not a number."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a decimal amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    return int((value / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


@lru_cache(maxsize=4096)  # a tenant has few distinct prices and quantities
def line_amount_cents(unit_price_cents: int, quantity: Decimal) -> int:
    """Price × quantity rounded half up to the cent (quantities may be fractional)."""
    return int((Decimal(unit_price_cents) * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(cents: int, currency: str) -> str:
    return f"{from_cents(cents):,} {currency}"
