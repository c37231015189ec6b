"""Imported bank statements, their entries with each one's status, and the list's connection."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from billing.money import from_minor_units
from graph.context import Info
from graph.pagination import bank_statement_cursor
from graph.types.common import PageInfo
from orm import models
from orm.models import enums as stored

if TYPE_CHECKING:
    from graph.types.invoice import Invoice
    from graph.types.payment import Payment


@strawberry.enum
class BankStatementFormat(Enum):
    CAMT053 = stored.StatementFormat.CAMT053.value
    MT940 = stored.StatementFormat.MT940.value


@strawberry.enum
class BankEntryStatus(Enum):
    MATCHED = stored.BankEntryStatus.MATCHED.value
    UNMATCHED = stored.BankEntryStatus.UNMATCHED.value
    DUPLICATE = stored.BankEntryStatus.DUPLICATE.value
    IGNORED = stored.BankEntryStatus.IGNORED.value


@strawberry.enum
class BankEntryDirection(Enum):
    CREDIT = strawberry.enum_value(
        stored.BankEntryDirection.CREDIT.value, description="Money received."
    )
    DEBIT = strawberry.enum_value(
        stored.BankEntryDirection.DEBIT.value, description="Money paid out."
    )


@strawberry.type
class BankStatementEntry:
    model: strawberry.Private[models.BankStatementEntry]
    id: strawberry.ID
    booked_on: date
    amount: Decimal
    currency: str
    direction: BankEntryDirection
    counterparty: str | None
    remittance: str | None
    bank_reference: str
    status: BankEntryStatus
    note: str | None = strawberry.field(
        description="Why the entry has its status, in words (what the matcher found, or who "
        "resolved it)."
    )

    @classmethod
    def from_model(cls, entry: models.BankStatementEntry) -> BankStatementEntry:
        return cls(
            model=entry,
            id=strawberry.ID(str(entry.id)),
            booked_on=entry.booked_on,
            amount=from_minor_units(entry.amount_cents, entry.currency),
            currency=entry.currency,
            direction=BankEntryDirection(entry.direction.value),
            counterparty=entry.counterparty,
            remittance=entry.remittance,
            bank_reference=entry.bank_reference,
            status=BankEntryStatus(entry.status.value),
            note=entry.note,
        )

    @strawberry.field(description="The payment it was recorded as, where it was.")
    async def payment(
        self, info: Info
    ) -> Annotated[Payment, strawberry.lazy("graph.types.payment")] | None:
        from graph.types.payment import Payment  # loaded late, as the invoices below

        if self.model.payment_id is None:
            return None
        payment = await info.context.loaders.payment.load(self.model.payment_id)
        return Payment.from_model(payment) if payment is not None else None

    @strawberry.field(
        description="Open invoices whose amount or client name fits, best first (for the person "
        "who matches it)."
    )
    async def suggested_invoices(
        self, info: Info
    ) -> list[Annotated[Invoice, strawberry.lazy("graph.types.invoice")]]:
        from graph.types.invoice import Invoice  # invoice.py's types reach far; loaded late

        invoice_ids = await info.context.loaders.bank_suggestions.load(self.model)
        invoices = await info.context.loaders.invoice.load_many(list(invoice_ids))
        return [Invoice.from_model(invoice) for invoice in invoices if invoice is not None]


@strawberry.type
class BankStatement:
    model: strawberry.Private[models.BankStatement]
    id: strawberry.ID
    format: BankStatementFormat
    imported_at: datetime
    account: str = strawberry.field(description="The account (IBAN) the statement is for.")
    currency: str
    statement_id: str | None = strawberry.field(description="The statement's own id in the file.")
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    matched: int
    unmatched: int
    duplicates: int
    ignored: int

    @classmethod
    def from_model(cls, statement: models.BankStatement) -> BankStatement:
        def money(cents: int | None) -> Decimal | None:
            return None if cents is None else from_minor_units(cents, statement.currency)

        return cls(
            model=statement,
            id=strawberry.ID(str(statement.id)),
            format=BankStatementFormat(statement.format.value),
            imported_at=statement.imported_at,
            account=statement.account,
            currency=statement.currency,
            statement_id=statement.statement_id,
            opening_balance=money(statement.opening_balance_cents),
            closing_balance=money(statement.closing_balance_cents),
            matched=statement.matched_count,
            unmatched=statement.unmatched_count,
            duplicates=statement.duplicate_count,
            ignored=statement.ignored_count,
        )

    @strawberry.field(description="The entries in the statement's order.")
    async def entries(self, info: Info) -> list[BankStatementEntry]:
        rows = await info.context.loaders.bank_entries.load(self.model.id)
        return [BankStatementEntry.from_model(row) for row in rows]


@strawberry.type
class BankStatementEdge:
    cursor: str
    node: BankStatement


@strawberry.type
class BankStatementConnection:
    edges: list[BankStatementEdge]
    page_info: PageInfo

    @classmethod
    def from_statements(
        cls, statements: list[models.BankStatement], has_next_page: bool
    ) -> BankStatementConnection:
        edges = [
            BankStatementEdge(
                cursor=bank_statement_cursor(statement.id), node=BankStatement.from_model(statement)
            )
            for statement in statements
        ]
        return cls(edges=edges, page_info=PageInfo.of(edges, has_next_page=has_next_page))
