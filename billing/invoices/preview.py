"""The invoice as a document: what its preview page and its email show, and how they render.

The HTML is a self-contained, printable page (styles inline, no scripts, no outside resources),
served as the preview page and sent as the email's HTML part. Every value is escaped.
It shows what the customer may read: the void reason is internal (the audit trail and the API
keep it) and is never part of the document.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from billing.invoices.lifecycle import InvoiceStatus
from billing.money import format_money
from orm.models import Invoice, InvoiceLine, PaymentAllocation

STATUS_LABELS = {
    InvoiceStatus.DRAFT: "Draft",
    InvoiceStatus.UNPAID: "Unpaid",
    InvoiceStatus.PARTIAL: "Partially paid",
    InvoiceStatus.PAID: "Paid",
    InvoiceStatus.VOID: "Void",
}


@dataclass(frozen=True, slots=True)
class DocumentLine:
    description: str
    quantity: Decimal
    unit_price_cents: int
    amount_cents: int
    period_start: date | None
    period_end: date | None


@dataclass(frozen=True, slots=True)
class DocumentPayment:
    paid_on: date
    method: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything the preview page and the email show about one invoice."""

    tenant_id: int
    tenant_name: str
    client_name: str
    client_email: str | None
    invoice_id: int
    number: str | None
    status: InvoiceStatus
    issued_on: date
    due_on: date
    grace_until: date
    period_start: date | None
    period_end: date | None
    currency: str
    total_cents: int
    balance_cents: int
    lines: tuple[DocumentLine, ...]
    payments: tuple[DocumentPayment, ...]
    emailed_at: datetime | None
    voided_at: datetime | None

    @property
    def display_number(self) -> str:
        """The number, or the id where there is none (a draft)."""
        return self.number or str(self.invoice_id)

    @property
    def title(self) -> str:
        if self.status == InvoiceStatus.DRAFT:
            return f"Draft invoice {self.invoice_id}"
        return f"Invoice {self.display_number}"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def paid_cents(self) -> int:
        return sum(payment.amount_cents for payment in self.payments)

    def money(self, cents: int) -> str:
        return format_money(cents, self.currency)


async def load_invoice_document(tenant_id: int, invoice_id: int) -> InvoiceDocument | None:
    """The invoice of this tenant as a document, or None where the tenant has no such invoice."""
    invoice = (
        await Invoice.filter(id=invoice_id, tenant_id=tenant_id)
        .select_related("tenant", "client")
        .first()
    )
    if invoice is None:
        return None
    lines = await InvoiceLine.filter(invoice_id=invoice.id).order_by("position", "id")
    allocations = (
        await PaymentAllocation.filter(invoice_id=invoice.id)
        .select_related("payment")
        .order_by("payment__paid_on", "id")
    )
    return InvoiceDocument(
        tenant_id=invoice.tenant_id,
        tenant_name=invoice.tenant.name,
        client_name=invoice.client.name,
        client_email=invoice.client.email,
        invoice_id=invoice.id,
        number=invoice.number,
        status=InvoiceStatus(invoice.status),
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        grace_until=invoice.grace_until,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency=invoice.currency,
        total_cents=invoice.total_cents,
        balance_cents=invoice.balance_cents,
        lines=tuple(_document_line(line) for line in lines),
        payments=tuple(_document_payment(allocation) for allocation in allocations),
        emailed_at=invoice.emailed_at,
        voided_at=invoice.voided_at,
    )


def _document_line(line: InvoiceLine) -> DocumentLine:
    return DocumentLine(
        description=line.description,
        quantity=Decimal(line.quantity),
        unit_price_cents=line.unit_price_cents,
        amount_cents=line.amount_cents,
        period_start=line.period_start,
        period_end=line.period_end,
    )


def _document_payment(allocation: PaymentAllocation) -> DocumentPayment:
    return DocumentPayment(
        paid_on=allocation.payment.paid_on,
        method=allocation.payment.method,
        amount_cents=allocation.amount_cents,
    )


def format_quantity(quantity: Decimal) -> str:
    """A quantity without trailing zeros: 1, 2.5, 0.125."""
    return f"{quantity.normalize():f}"


def format_period(start: date | None, end: date | None) -> str:
    if start is None or end is None:
        return ""
    return f"{start.isoformat()} – {end.isoformat()}"


# Plain text


def render_invoice_text(doc: InvoiceDocument, preview_url: str | None) -> str:
    """The invoice as plain text (the email's text alternative)."""
    parts = [
        _text_header(doc),
        _text_lines(doc),
        _text_totals(doc),
        _text_payments(doc),
    ]
    if preview_url:
        parts.append(f"View the invoice online:\n{preview_url}")
    return "\n\n".join(part for part in parts if part) + "\n"


def _text_header(doc: InvoiceDocument) -> str:
    rows = [
        f"{doc.title} from {doc.tenant_name}",
        f"Billed to: {doc.client_name}",
        f"Status: {doc.status_label}",
        f"Issued: {doc.issued_on.isoformat()}",
        f"Due: {doc.due_on.isoformat()}",
        f"Grace period until: {doc.grace_until.isoformat()}",
    ]
    period = format_period(doc.period_start, doc.period_end)
    if period:
        rows.append(f"Service period: {period}")
    return "\n".join(rows)


def _text_lines(doc: InvoiceDocument) -> str:
    rows = ["Lines:"]
    for line in doc.lines:
        rows.append(
            f"- {line.description}: {format_quantity(line.quantity)} × "
            f"{doc.money(line.unit_price_cents)} = {doc.money(line.amount_cents)}"
        )
    if not doc.lines:
        rows.append("- (no lines)")
    return "\n".join(rows)


def _text_totals(doc: InvoiceDocument) -> str:
    return "\n".join(
        [
            f"Total: {doc.money(doc.total_cents)}",
            f"Paid: {doc.money(doc.paid_cents)}",
            f"Balance due: {doc.money(doc.balance_cents)}",
        ]
    )


def _text_payments(doc: InvoiceDocument) -> str:
    if not doc.payments:
        return ""
    rows = ["Payments:"]
    for payment in doc.payments:
        rows.append(
            f"- {payment.paid_on.isoformat()} {payment.method}: {doc.money(payment.amount_cents)}"
        )
    return "\n".join(rows)


# HTML

PAGE_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2933;
       margin: 0; padding: 24px; background: #f5f7fa; }
.invoice { max-width: 760px; margin: 0 auto; background: #fff; padding: 32px;
           border: 1px solid #d9e2ec; border-radius: 6px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.muted { color: #627d98; }
.status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 13px;
          font-weight: 600; background: #e4e7eb; }
.status-paid { background: #c6f7e2; color: #014d40; }
.status-unpaid { background: #ffe3e3; color: #610404; }
.status-partial { background: #fff3c4; color: #513c06; }
.status-void { background: #e4e7eb; color: #3e4c59; text-decoration: line-through; }
.status-draft { background: #dceefb; color: #0b4f71; }
table { width: 100%; border-collapse: collapse; margin-top: 8px; }
th, td { text-align: left; padding: 8px 6px; border-bottom: 1px solid #e4e7eb;
         vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; color: #627d98; }
td.num, th.num { text-align: right; white-space: nowrap; }
.facts td { border: none; padding: 2px 6px 2px 0; }
.totals { width: auto; margin-left: auto; }
.totals td { border: none; padding: 2px 6px; }
.totals tr.balance td { font-weight: 700; font-size: 16px; border-top: 2px solid #1f2933; }
.link { margin-top: 24px; }
@media print {
  body { background: #fff; padding: 0; }
  .invoice { border: none; padding: 0; }
  .link { display: none; }
}
"""


def render_invoice_html(doc: InvoiceDocument, *, preview_url: str | None = None) -> str:
    """The invoice as one self-contained HTML page (the preview page and the email's HTML part)."""
    title = html.escape(f"{doc.title} — {doc.tenant_name}")
    body = "\n".join(
        part
        for part in (
            _html_header(doc),
            _html_lines(doc),
            _html_totals(doc),
            _html_payments(doc),
            _html_link(preview_url),
        )
        if part
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{PAGE_STYLE}</style>\n</head>\n"
        f'<body>\n<main class="invoice">\n{body}\n</main>\n</body>\n</html>\n'
    )


def _e(value: object) -> str:
    return html.escape(str(value))


def _html_header(doc: InvoiceDocument) -> str:
    facts = [
        ("Billed to", doc.client_name),
        ("Issued", doc.issued_on.isoformat()),
        ("Due", doc.due_on.isoformat()),
        ("Grace period until", doc.grace_until.isoformat()),
    ]
    period = format_period(doc.period_start, doc.period_end)
    if period:
        facts.append(("Service period", period))
    rows = "\n".join(
        f'<tr><td class="muted">{_e(label)}</td><td>{_e(value)}</td></tr>' for label, value in facts
    )
    return (
        f'<p class="muted">{_e(doc.tenant_name)}</p>\n'
        f"<h1>{_e(doc.title)}</h1>\n"
        f'<p><span class="status status-{_e(doc.status.value)}">{_e(doc.status_label)}</span></p>\n'
        f'<table class="facts">\n{rows}\n</table>'
    )


def _html_lines(doc: InvoiceDocument) -> str:
    rows = "\n".join(
        "<tr>"
        f"<td>{_e(line.description)}</td>"
        f'<td class="num">{_e(format_quantity(line.quantity))}</td>'
        f'<td class="num">{_e(doc.money(line.unit_price_cents))}</td>'
        f'<td class="num">{_e(doc.money(line.amount_cents))}</td>'
        "</tr>"
        for line in doc.lines
    )
    if not doc.lines:
        rows = '<tr><td colspan="4" class="muted">No lines</td></tr>'
    return (
        "<h2>Lines</h2>\n<table>\n"
        '<thead><tr><th>Description</th><th class="num">Quantity</th>'
        '<th class="num">Unit price</th><th class="num">Amount</th></tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>"
    )


def _html_totals(doc: InvoiceDocument) -> str:
    return (
        '<table class="totals">\n'
        f'<tr><td>Total</td><td class="num">{_e(doc.money(doc.total_cents))}</td></tr>\n'
        f'<tr><td>Paid</td><td class="num">{_e(doc.money(doc.paid_cents))}</td></tr>\n'
        f'<tr class="balance"><td>Balance due</td>'
        f'<td class="num">{_e(doc.money(doc.balance_cents))}</td></tr>\n'
        "</table>"
    )


def _html_payments(doc: InvoiceDocument) -> str:
    if not doc.payments:
        return ""
    rows = "\n".join(
        "<tr>"
        f"<td>{_e(payment.paid_on.isoformat())}</td>"
        f"<td>{_e(payment.method)}</td>"
        f'<td class="num">{_e(doc.money(payment.amount_cents))}</td>'
        "</tr>"
        for payment in doc.payments
    )
    return (
        "<h2>Payments</h2>\n<table>\n"
        '<thead><tr><th>Date</th><th>Method</th><th class="num">Amount</th></tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>"
    )


def _html_link(preview_url: str | None) -> str:
    if not preview_url:
        return ""
    href = html.escape(preview_url, quote=True)
    return f'<p class="link"><a href="{href}">View this invoice online</a></p>'
