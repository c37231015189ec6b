"""How money reached the tenant, and whether a payment still stands."""

from __future__ import annotations

from enum import StrEnum


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    CHEQUE = "cheque"
    CARD = "card"
    DIRECT_DEBIT = "direct_debit"
    OTHER = "other"


class PaymentStatus(StrEnum):
    RECEIVED = "received"
    # Bounced or entered in error: its allocations are undone and it counts for nothing.
    REVERSED = "reversed"


def payment_method_of(stored: str) -> PaymentMethod:
    """The method of a stored payment. Payments carried over by an import keep the method text
    their file gave; one the product does not know reads as OTHER."""
    try:
        return PaymentMethod(stored.strip().lower())
    except ValueError:
        return PaymentMethod.OTHER
