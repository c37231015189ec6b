"""The Invoice type with its lines, payment allocations, preview link and row actions, and the
invoice list's connection."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from billing.invoices.links import (
    DocumentLink,
    einvoice_url,
    make_preview_token,
    pdf_url,
    preview_url,
)
from billing.invoices.listing import NEWEST_FIRST_ORDER, InvoiceOrder, InvoicePage, position_of
from billing.invoices.overdue import days_overdue, is_overdue, is_past_grace
from billing.money import from_minor_units
from billing.taxes.calculation import canonical_rate
from graph.context import Info
from graph.pagination import invoice_cursor
from graph.scalars import quantity_value
from graph.types.actions import InvoiceActions, invoice_actions
from graph.types.client import Client, load_client
from graph.types.collections import InvoiceReminder
from graph.types.common import PageInfo
from graph.types.credit_note import CreditNote
from graph.types.enums import EInvoiceSyntax, InvoiceLineKind, InvoiceStatus
from orm import models

if TYPE_CHECKING:
    from graph.types.payment import Payment
    from graph.types.run import InvoiceRun


@strawberry.type
class InvoiceLine:
    id: strawberry.ID
    kind: InvoiceLineKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    period_start: date | None = strawberry.field(
        description="The service period the line bills; null for a one-time charge."
    )
    period_end: date | None
    tax_rate: Decimal | None = strawberry.field(
        description="Percent; null where the line carries no tax. The line's `amount` is net of "
        "tax."
    )
    model: strawberry.Private[models.InvoiceLine]
    currency: strawberry.Private[str]

    @strawberry.field(
        description="Net amount left to credit on the line: its amount less what credit notes "
        "have credited on it (what CreditNoteLineInput.amount may be at most)."
    )
    async def creditable(self, info: Info) -> Decimal:
        credited = await info.context.loaders.credited_on_line.load(self.model.id)
        return from_minor_units(self.model.amount_cents - credited, self.currency)

    @classmethod
    def from_model(cls, line: models.InvoiceLine, currency: str) -> InvoiceLine:
        return cls(
            model=line,
            currency=currency,
            id=strawberry.ID(str(line.id)),
            kind=InvoiceLineKind(line.kind),
            description=line.description,
            quantity=quantity_value(line.quantity),
            unit_price=from_minor_units(line.unit_price_cents, currency),
            amount=from_minor_units(line.amount_cents, currency),
            period_start=line.period_start,
            period_end=line.period_end,
            tax_rate=None if line.tax_rate is None else canonical_rate(Decimal(line.tax_rate)),
        )


@strawberry.type
class InvoiceTax:
    rate: Decimal = strawberry.field(description="Percent.")
    taxable: Decimal = strawberry.field(
        description="Net amount of the invoice's lines at this rate."
    )
    tax: Decimal

    @classmethod
    def from_model(cls, row: models.InvoiceTax, currency: str) -> InvoiceTax:
        return cls(
            rate=canonical_rate(Decimal(row.rate)),
            taxable=from_minor_units(row.taxable_cents, currency),
            tax=from_minor_units(row.tax_cents, currency),
        )


@strawberry.type
class PaymentAllocation:
    model: strawberry.Private[models.PaymentAllocation]
    id: strawberry.ID
    amount: Decimal
    paid_on: date
    method: str

    @classmethod
    def from_model(cls, allocation: models.PaymentAllocation, currency: str) -> PaymentAllocation:
        """The allocation read with its payment (`select_related("payment")`)."""
        return cls(
            model=allocation,
            id=strawberry.ID(str(allocation.id)),
            amount=from_minor_units(allocation.amount_cents, currency),
            paid_on=allocation.payment.paid_on,
            method=allocation.payment.method,
        )

    @strawberry.field
    async def invoice(self, info: Info) -> Invoice:
        invoice = await info.context.loaders.invoice.load(self.model.invoice_id)
        if invoice is None:
            raise LookupError(f"allocation {self.model.id} has no invoice")
        return Invoice.from_model(invoice)

    @strawberry.field
    def payment(self) -> Annotated[Payment, strawberry.lazy("graph.types.payment")]:
        from graph.types.payment import Payment  # payment.py imports this module

        return Payment.from_model(self.model.payment)


@strawberry.type
class Invoice:
    model: strawberry.Private[models.Invoice]
    id: strawberry.ID
    number: str | None = strawberry.field(
        description="The invoice number; null until one is assigned."
    )
    display_number: str = strawberry.field(
        description="number, or the id where there is no number (what the list's first column "
        "shows)."
    )
    issued_on: date = strawberry.field(
        description="The billing date of the run that made it (or the imported issue date)."
    )
    due_on: date
    grace_until: date
    period_start: date | None = strawberry.field(
        description="The service period the invoice bills, where it bills services."
    )
    period_end: date | None
    currency: str
    subtotal: Decimal = strawberry.field(description="Sum of the lines' net amounts.")
    tax_total: Decimal
    total: Decimal
    balance: Decimal = strawberry.field(
        description="What is still unpaid: total minus allocated payments; 0.00 once void."
    )
    status: InvoiceStatus
    emailed_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None = strawberry.field(
        description="Why it was voided: internal, never on the customer's preview or email."
    )
    # The invoice's client where it was read with the invoice (a list page reads them at once).
    client_model: strawberry.Private[models.Client | None] = None

    @classmethod
    def from_model(cls, invoice: models.Invoice, client: models.Client | None = None) -> Invoice:
        return cls(
            model=invoice,
            id=strawberry.ID(str(invoice.id)),
            number=invoice.number,
            display_number=invoice.number or str(invoice.id),
            issued_on=invoice.issued_on,
            due_on=invoice.due_on,
            grace_until=invoice.grace_until,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            currency=invoice.currency,
            subtotal=from_minor_units(invoice.subtotal_cents, invoice.currency),
            tax_total=from_minor_units(invoice.tax_cents, invoice.currency),
            total=from_minor_units(invoice.total_cents, invoice.currency),
            balance=from_minor_units(invoice.balance_cents, invoice.currency),
            status=InvoiceStatus(invoice.status),
            emailed_at=invoice.emailed_at,
            voided_at=invoice.voided_at,
            void_reason=invoice.void_reason,
            client_model=client,
        )

    @strawberry.field
    def client(self, info: Info) -> Client:
        # Read with the invoice: answered at once, without a wait per row of the list.
        if self.client_model is not None:
            return Client.from_model(self.client_model)
        return self._loaded_client(info)  # type: ignore[return-value]  # awaited by GraphQL

    async def _loaded_client(self, info: Info) -> Client:
        client = await load_client(info, self.model.client_id)
        if client is None:
            raise LookupError(f"invoice {self.model.id} has no client")
        return client

    @strawberry.field(
        description="Owed (UNPAID or PARTIAL, balance above zero) and dueOn before the tenant's "
        "today."
    )
    def overdue(self, info: Info) -> bool:
        invoice = self.model
        return is_overdue(invoice.status, invoice.balance_cents, invoice.due_on, info.context.today)

    @strawberry.field(
        description="Whole days since dueOn in the tenant's calendar while overdue; 0 otherwise."
    )
    def days_overdue(self, info: Info) -> int:
        invoice = self.model
        return days_overdue(
            invoice.status, invoice.balance_cents, invoice.due_on, info.context.today
        )

    @strawberry.field(
        description="Owed and graceUntil before the tenant's today: reminders, late fees and "
        "blocking apply."
    )
    def past_grace(self, info: Info) -> bool:
        invoice = self.model
        return is_past_grace(
            invoice.status, invoice.balance_cents, invoice.grace_until, info.context.today
        )

    @strawberry.field
    async def lines(self, info: Info) -> list[InvoiceLine]:
        lines = await info.context.loaders.lines.load(self.model.id)
        return [InvoiceLine.from_model(line, self.currency) for line in lines]

    @strawberry.field(
        description="One row per tax rate, the tax rounded once per rate (EN 16931 BR-CO-17)."
    )
    async def taxes(self, info: Info) -> list[InvoiceTax]:
        rows = await info.context.loaders.taxes.load(self.model.id)
        return [InvoiceTax.from_model(row, self.currency) for row in rows]

    @strawberry.field
    async def allocations(self, info: Info) -> list[PaymentAllocation]:
        allocations = await info.context.loaders.allocations.load(self.model.id)
        return [
            PaymentAllocation.from_model(allocation, self.currency) for allocation in allocations
        ]

    @strawberry.field(description="What credit notes have credited so far.")
    def credited(self) -> Decimal:
        return from_minor_units(self.model.credited_cents, self.model.currency)

    @strawberry.field(description="The invoice's credit notes, oldest first.")
    async def credit_notes(self, info: Info) -> list[CreditNote]:
        notes = await info.context.loaders.credit_notes.load(self.model.id)
        return [CreditNote.from_model(note) for note in notes]

    @strawberry.field(description="The payment reminders emailed for it, first level first.")
    async def reminders(self, info: Info) -> list[InvoiceReminder]:
        sent = await info.context.loaders.reminders.load(self.model.id)
        return [InvoiceReminder.from_model(reminder) for reminder in sent]

    @strawberry.field(
        description="A URL that shows the invoice (HTML), openable in a new browser tab."
    )
    def preview_url(self, info: Info) -> str:
        settings = info.context.settings
        token = make_preview_token(
            tenant_id=self.model.tenant_id,
            invoice_id=self.model.id,
            secret=settings.signing_key,
            ttl_seconds=settings.preview_link_ttl_seconds,
        )
        return preview_url(info.context.public_url, self.model.id, token)

    @strawberry.field(
        description=(
            "A signed link to the invoice as a PDF/A-3 file with its EN 16931 CII XML embedded "
            "(Factur-X)."
        )
    )
    def pdf_url(self, info: Info) -> str:
        token = self._document_token(info, DocumentLink.PDF)
        return pdf_url(info.context.public_url, self.model.id, token)

    @strawberry.field(
        description="A signed link to the invoice as EN 16931 XML in the given syntax."
    )
    def e_invoice_url(self, info: Info, syntax: EInvoiceSyntax) -> str:
        kind = DocumentLink.CII if syntax is EInvoiceSyntax.CII else DocumentLink.UBL
        token = self._document_token(info, kind)
        return einvoice_url(info.context.public_url, self.model.id, kind, token)

    def _document_token(self, info: Info, kind: DocumentLink) -> str:
        settings = info.context.settings
        return make_preview_token(
            tenant_id=self.model.tenant_id,
            invoice_id=self.model.id,
            secret=settings.signing_key,
            ttl_seconds=settings.preview_link_ttl_seconds,
            kind=kind,
        )

    @strawberry.field(
        description="Which row actions the viewer may take now, with the reason where not."
    )
    async def actions(self, info: Info) -> InvoiceActions:
        return await invoice_actions(info, self.model)

    @strawberry.field
    async def run(
        self, info: Info
    ) -> Annotated[InvoiceRun, strawberry.lazy("graph.types.run")] | None:
        from graph.types.run import load_run  # run.py imports this module

        return await load_run(info, self.model.run_id)


@strawberry.type
class InvoiceEdge:
    cursor: str
    node: Invoice


@strawberry.type
class InvoiceConnection:
    edges: list[InvoiceEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(
        cls, page: InvoicePage, order: InvoiceOrder = NEWEST_FIRST_ORDER
    ) -> InvoiceConnection:
        edges = [
            InvoiceEdge(
                cursor=invoice_cursor(
                    position_of(invoice, order, page.clients.get(invoice.client_id))
                ),
                node=Invoice.from_model(invoice, client=page.clients.get(invoice.client_id)),
            )
            for invoice in page.invoices
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )

    @classmethod
    def empty(cls) -> InvoiceConnection:
        return cls(
            edges=[], page_info=PageInfo(has_next_page=False, end_cursor=None), total_count=0
        )
