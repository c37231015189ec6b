"""How a credit note's amount reaches the client."""

from __future__ import annotations

from enum import StrEnum


class CreditNoteSettlement(StrEnum):
    # Taken off the invoice's balance (at most that balance).
    OFFSET = "offset"
    # Added to the client's credit balance: the credit note is the record of it.
    CREDIT = "credit"
    # Paid back: through Stripe's refunds where the invoice was paid by card.
    REFUND = "refund"
