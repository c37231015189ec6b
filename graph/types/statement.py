"""A client's statement: what it owed before the period, each record of the period with the
running balance, and what it owes after."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

import strawberry

from billing.money import from_minor_units
from billing.payments.statement import Statement, StatementLine
from billing.payments.statement import StatementEntryKind as StoredKind


@strawberry.enum
class StatementEntryKind(Enum):
    INVOICE = StoredKind.INVOICE.value
    PAYMENT = StoredKind.PAYMENT.value
    CREDIT_NOTE = StoredKind.CREDIT_NOTE.value
    REFUND = StoredKind.REFUND.value
    REVERSAL = StoredKind.REVERSAL.value


@strawberry.type
class StatementEntry:
    date: date
    kind: StatementEntryKind
    reference: str | None = strawberry.field(
        description="The invoice, credit note or payment reference."
    )
    debit: Decimal = strawberry.field(description="What the entry adds to what the client owes.")
    credit: Decimal = strawberry.field(description="What the entry takes off it.")
    balance: Decimal = strawberry.field(
        description="Running balance after the entry: positive, the client owes; negative, the "
        "client is in credit."
    )

    @classmethod
    def from_line(cls, line: StatementLine, currency: str) -> StatementEntry:
        entry = line.entry
        return cls(
            date=entry.on,
            kind=StatementEntryKind(entry.kind.value),
            reference=entry.reference,
            debit=from_minor_units(entry.debit, currency),
            credit=from_minor_units(entry.credit, currency),
            balance=from_minor_units(line.balance, currency),
        )


@strawberry.type
class ClientStatement:
    from_: date | None = strawberry.field(name="from")
    to: date | None
    opening_balance: Decimal = strawberry.field(
        description="What the client owed before `from` (invoices less payments and credits); 0 "
        "with no `from`."
    )
    closing_balance: Decimal
    entries: list[StatementEntry]

    @classmethod
    def from_statement(cls, statement: Statement, currency: str) -> ClientStatement:
        return cls(
            from_=statement.start,
            to=statement.end,
            opening_balance=from_minor_units(statement.opening, currency),
            closing_balance=from_minor_units(statement.closing, currency),
            entries=[StatementEntry.from_line(line, currency) for line in statement.lines],
        )
