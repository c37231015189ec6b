"""The CreditNote type, its lines, and the credit notes list's connection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from billing.credit_notes.listing import CreditNotePage
from billing.credit_notes.settlement import CreditNoteSettlement as StoredSettlement
from billing.invoices.links import DocumentLink, credit_note_link
from billing.money import from_minor_units
from graph.context import Info
from graph.pagination import credit_note_cursor
from graph.types.client import Client, load_client
from graph.types.common import PageInfo
from orm import models

if TYPE_CHECKING:
    from graph.types.invoice import Invoice, InvoiceLine


@strawberry.enum
class CreditNoteSettlement(Enum):
    OFFSET = strawberry.enum_value(
        StoredSettlement.OFFSET.value,
        description="Takes the amount off the invoice's balance (at most that balance).",
    )
    CREDIT = strawberry.enum_value(
        StoredSettlement.CREDIT.value,
        description="Adds the amount to the client's credit balance.",
    )
    REFUND = strawberry.enum_value(
        StoredSettlement.REFUND.value,
        description="Pays the amount back (through Stripe where the invoice was paid by card).",
    )


@strawberry.type
class CreditNoteLine:
    model: strawberry.Private[models.CreditNoteLine]
    currency: strawberry.Private[str]
    description: str
    amount: Decimal = strawberry.field(description="Net of tax.")
    tax_rate: Decimal | None

    @classmethod
    def from_model(cls, line: models.CreditNoteLine, currency: str) -> CreditNoteLine:
        return cls(
            model=line,
            currency=currency,
            description=line.description,
            amount=from_minor_units(line.amount_cents, currency),
            tax_rate=line.tax_rate,
        )

    @strawberry.field
    async def invoice_line(
        self, info: Info
    ) -> Annotated[InvoiceLine, strawberry.lazy("graph.types.invoice")] | None:
        from graph.types.invoice import InvoiceLine  # invoice.py imports this module

        if self.model.invoice_line_id is None:
            return None
        line = await info.context.loaders.invoice_line.load(self.model.invoice_line_id)
        return InvoiceLine.from_model(line, self.currency) if line else None


@strawberry.type
class CreditNote:
    model: strawberry.Private[models.CreditNote]
    id: strawberry.ID
    number: str
    issued_on: date
    reason: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    settlement: CreditNoteSettlement

    @classmethod
    def from_model(cls, note: models.CreditNote) -> CreditNote:
        return cls(
            model=note,
            id=strawberry.ID(str(note.id)),
            number=note.number,
            issued_on=note.issued_on,
            reason=note.reason,
            subtotal=from_minor_units(note.subtotal_cents, note.currency),
            tax_total=from_minor_units(note.tax_cents, note.currency),
            total=from_minor_units(note.total_cents, note.currency),
            settlement=CreditNoteSettlement(note.settlement.value),
        )

    @strawberry.field
    async def invoice(
        self, info: Info
    ) -> Annotated[Invoice, strawberry.lazy("graph.types.invoice")]:
        from graph.types.invoice import Invoice  # invoice.py imports this module

        invoice = await info.context.loaders.invoice.load(self.model.invoice_id)
        if invoice is None:
            raise LookupError(f"credit note {self.model.id} has no invoice")
        return Invoice.from_model(invoice)

    @strawberry.field
    async def client(self, info: Info) -> Client:
        client = await load_client(info, self.model.client_id)
        if client is None:
            raise LookupError(f"credit note {self.model.id} has no client")
        return client

    @strawberry.field
    async def lines(self, info: Info) -> list[CreditNoteLine]:
        lines = await info.context.loaders.credit_note_lines.load(self.model.id)
        return [CreditNoteLine.from_model(line, self.model.currency) for line in lines]

    @strawberry.field(description="A signed link that shows the credit note (HTML).")
    def preview_url(self, info: Info) -> str:
        return self._link(info, DocumentLink.CREDIT_NOTE_PREVIEW)

    @strawberry.field(description="A signed link to the credit note as a PDF/A-3 file.")
    def pdf_url(self, info: Info) -> str:
        return self._link(info, DocumentLink.CREDIT_NOTE_PDF)

    def _link(self, info: Info, kind: DocumentLink) -> str:
        settings = info.context.settings
        return credit_note_link(
            info.context.public_url,
            tenant_id=self.model.tenant_id,
            credit_note_id=self.model.id,
            kind=kind,
            secret=settings.signing_key,
            ttl_seconds=settings.preview_link_ttl_seconds,
        )


@strawberry.type
class CreditNoteEdge:
    cursor: str
    node: CreditNote


@strawberry.type
class CreditNoteConnection:
    edges: list[CreditNoteEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: CreditNotePage) -> CreditNoteConnection:
        edges = [
            CreditNoteEdge(cursor=credit_note_cursor(note.id), node=CreditNote.from_model(note))
            for note in page.credit_notes
        ]
        return cls(
            edges=edges,
            page_info=PageInfo.of(edges, has_next_page=page.has_next_page),
            total_count=page.total_count,
        )

    @classmethod
    def empty(cls) -> CreditNoteConnection:
        return cls(edges=[], page_info=PageInfo.of([], has_next_page=False), total_count=0)
