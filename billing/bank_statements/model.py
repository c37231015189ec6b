"""A bank statement as the product reads it, whatever format the bank sent.

CAMT.053 and MT940 files become the same frozen values: the statement (account, currency,
balances) and its booked entries, each with its amount both as a Decimal and as integer minor
units of its currency, its direction and the bank's reference for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class StatementFormat(StrEnum):
    CAMT053 = "CAMT053"
    MT940 = "MT940"


class Direction(StrEnum):
    """Money into the account (a customer paying) or out of it."""

    CREDIT = "CREDIT"
    DEBIT = "DEBIT"


class StatementUnreadable(ValueError):
    """The statement cannot be read as a whole; the message says where (XML path and line, or
    the MT940 tag and line number). Nothing of such a statement is imported."""


@dataclass(frozen=True, slots=True)
class Balance:
    """A balance the statement states: signed (negative when overdrawn), on a date."""

    amount: Decimal
    minor_units: int
    currency: str
    on: date


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One booked movement on the account.

    `amount` is never negative; `direction` says which way the money went. `remittance` is the
    payer's text (its lines joined) followed by the structured creditor reference, if any.
    `bank_reference` identifies the entry at the bank: with the account, it is what makes a
    second import of the same entry a duplicate.
    """

    booked_on: date
    amount: Decimal
    minor_units: int
    currency: str
    direction: Direction
    bank_reference: str
    counterparty: str | None = None
    remittance: str | None = None
    creditor_reference: str | None = None
    reversal: bool = False

    @property
    def incoming(self) -> bool:
        return self.direction is Direction.CREDIT


@dataclass(frozen=True, slots=True)
class BankStatement:
    """A statement of one account: its entries in the bank's order."""

    format: StatementFormat
    account: str
    currency: str
    statement_id: str | None
    opening_balance: Balance | None
    closing_balance: Balance | None
    entries: tuple[BankEntry, ...]
