"""Invoices and credit notes as their customer's documents, read from the database: the input of
every renderer. One builder makes both, so seller, buyer, country and tax rules are the same.

The seller is the tenant (legal name, address, tax number, payment instructions), the buyer the
client (name, address, tax number, client key as account, exemption reason). Lines carry their
service periods and rates; the tax breakdown is the invoice's stored rows. An invoice issued
before taxes were recorded has no rows: its lines are outside the scope of tax (category O), so
its figures still add up. An invoice without lines (history imported as totals only) shows one
line, "Amount invoiced", of its subtotal over its period. Internal fields (grace date, void
reason) are never part of it; a draft shows its id as its number and is marked DRAFT, a void
invoice VOID. A credit note (type 381) names the invoice it credits and its reason; its lines and
tax rows are its own, printed positive, and it is settled in full when issued, so nothing is due.

Country codes (EN 16931 BT-40, BT-55) come from a tax number's prefix ("DE…", "EL…" for Greece);
a seller without one takes the country of its time zone, a buyer without one the seller's (an ISP
serves its own country). Where neither says, the code stays empty: the XML still passes its XSD
and only the EN 16931 Schematron would flag it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.core import get_global

from billing.invoices.documents.model import (
    Buyer,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Seller,
)
from billing.invoices.lifecycle import InvoiceStatus
from billing.money import minor_unit_digits
from billing.taxes import TaxCategory, TaxRow, canonical_rate, tax_category
from orm.models import (
    Client,
    CreditNote,
    CreditNoteLine,
    CreditNoteTax,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    Tenant,
)

# VAT numbers whose prefix is not the ISO 3166 code of their country.
VAT_PREFIX_COUNTRIES = {"EL": "GR", "XI": "GB"}
NO_TAX_CATEGORIES = (TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE)
WHOLE_INVOICE_LINE = "Amount invoiced"
MARKS = {InvoiceStatus.DRAFT: "DRAFT", InvoiceStatus.VOID: "VOID"}


@dataclass(frozen=True, slots=True)
class CustomerDocument:
    """One invoice's document with what delivering it needs (recipient, status, ids)."""

    tenant_id: int
    invoice_id: int
    status: InvoiceStatus
    client_email: str | None
    document: InvoiceDocument

    @property
    def is_draft(self) -> bool:
        """A draft has no number yet: it is previewed, never issued as a PDF or e-invoice."""
        return self.status is InvoiceStatus.DRAFT

    @property
    def number(self) -> str:
        return self.document.number

    @property
    def seller_name(self) -> str:
        return self.document.seller.legal_name

    @property
    def buyer_name(self) -> str:
        return self.document.buyer.name


async def load_customer_document(tenant_id: int, invoice_id: int) -> CustomerDocument | None:
    """The tenant's invoice as its customer's document, or None where the tenant has no such
    invoice."""
    invoice = (
        await Invoice.filter(id=invoice_id, tenant_id=tenant_id)
        .select_related("tenant", "client")
        .first()
    )
    if invoice is None:
        return None
    lines = await InvoiceLine.filter(invoice_id=invoice.id).order_by("position", "id")
    taxes = await InvoiceTax.filter(invoice_id=invoice.id).order_by("id")
    return CustomerDocument(
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.id,
        status=InvoiceStatus(invoice.status),
        client_email=invoice.client.email,
        document=build_invoice_document(invoice, list(lines), list(taxes)),
    )


def build_invoice_document(
    invoice: Invoice, lines: list[InvoiceLine], taxes: list[InvoiceTax]
) -> InvoiceDocument:
    """The document of an invoice whose tenant and client are loaded."""
    rows = tuple(tax_row_of(tax) for tax in taxes)
    document_lines = tuple(_document_line(line, rows) for line in lines) or (
        _whole_invoice_line(invoice, rows),
    )
    return build_customer_document(
        DocumentHeader(
            kind=DocumentKind.INVOICE,
            # A draft has no number yet: it shows its id, as the API's displayNumber does.
            number=invoice.number or str(invoice.id),
            issue_date=invoice.issued_on,
            due_date=invoice.due_on,
            currency=invoice.currency,
            mark=MARKS.get(InvoiceStatus(invoice.status)),
        ),
        tenant=invoice.tenant,
        client=invoice.client,
        lines=document_lines,
        tax_rows=rows,
        balance_due=invoice.balance_cents,
    )


async def load_credit_note_document(tenant_id: int, credit_note_id: int) -> InvoiceDocument | None:
    """The tenant's credit note as its customer's document, or None where the tenant has no such
    credit note."""
    note = (
        await CreditNote.filter(id=credit_note_id, tenant_id=tenant_id)
        .select_related("tenant", "client", "invoice")
        .first()
    )
    if note is None:
        return None
    lines = await CreditNoteLine.filter(credit_note_id=note.id).order_by("position", "id")
    taxes = await CreditNoteTax.filter(credit_note_id=note.id).order_by("id")
    return build_credit_note_document(note, list(lines), list(taxes))


def build_credit_note_document(
    note: CreditNote, lines: list[CreditNoteLine], taxes: list[CreditNoteTax]
) -> InvoiceDocument:
    """The document of a credit note whose tenant, client and invoice are loaded."""
    invoice: Invoice = note.invoice
    rows = tuple(tax_row_of(tax) for tax in taxes)
    return build_customer_document(
        DocumentHeader(
            kind=DocumentKind.CREDIT_NOTE,
            number=note.number,
            issue_date=note.issued_on,
            due_date=None,
            currency=note.currency,
            invoice_number=invoice.number,
            invoice_issue_date=invoice.issued_on,
            reason=note.reason,
        ),
        tenant=note.tenant,
        client=note.client,
        lines=tuple(_credited_line(line, rows) for line in lines),
        tax_rows=rows,
        balance_due=0,
    )


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    """What names a document: its kind, number, dates, currency, and for a credit note the
    invoice it credits and why."""

    kind: DocumentKind
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    invoice_number: str | None = None
    invoice_issue_date: date | None = None
    reason: str | None = None
    mark: str | None = None


def build_customer_document(
    header: DocumentHeader,
    *,
    tenant: Tenant,
    client: Client,
    lines: tuple[DocumentLine, ...],
    tax_rows: tuple[TaxRow, ...],
    balance_due: int,
) -> InvoiceDocument:
    """Any customer document: the tenant as seller, the client as buyer, the figures from the
    lines and tax rows (none recorded: the lines are outside the scope of tax)."""
    subtotal = sum(line.net_amount for line in lines)
    rows = tax_rows or (TaxRow(TaxCategory.OUTSIDE_SCOPE, Decimal(0), subtotal, 0),)
    tax_total = sum(row.tax for row in rows)
    total = subtotal + tax_total
    seller = seller_of(tenant)
    return InvoiceDocument(
        kind=header.kind,
        number=header.number,
        issue_date=header.issue_date,
        due_date=header.due_date,
        currency=header.currency,
        exponent=minor_unit_digits(header.currency),
        seller=seller,
        buyer=buyer_of(client, seller.country_code, _exemption_reason(rows)),
        lines=lines,
        tax_rows=rows,
        subtotal=subtotal,
        tax_total=tax_total,
        total=total,
        amount_paid=total - balance_due,
        balance_due=balance_due,
        invoice_number=header.invoice_number,
        invoice_issue_date=header.invoice_issue_date,
        reason=header.reason,
        mark=header.mark,
    )


def seller_of(tenant: Tenant) -> Seller:
    """The tenant as seller, printed the same on every document."""
    return Seller(
        legal_name=tenant.legal_name or tenant.name,
        address_lines=_address_lines(tenant.address),
        country_code=country_of_tax_id(tenant.tax_id) or country_of_zone(tenant.timezone),
        tax_id=tenant.tax_id or None,
        payment_instructions=tenant.payment_instructions or None,
    )


def buyer_of(client: Client, seller_country: str, exemption_reason: str | None = None) -> Buyer:
    """The client as buyer. The exemption reason is the one the document was issued under; a
    document without one (issued before taxes were recorded) shows the client's own."""
    if exemption_reason is None and client.tax_exempt:
        exemption_reason = client.tax_exempt_reason or None
    return Buyer(
        name=client.name,
        address_lines=_address_lines(client.address),
        country_code=country_of_tax_id(client.tax_id) or seller_country,
        account_key=client.key,
        tax_id=client.tax_id or None,
        exemption_reason=exemption_reason,
    )


def country_of_tax_id(tax_id: str | None) -> str:
    """The ISO 3166 country of a VAT number's two-letter prefix; "" where it has none."""
    prefix = (tax_id or "").strip()[:2].upper()
    if len(prefix) != 2 or not prefix.isalpha():
        return ""
    return VAT_PREFIX_COUNTRIES.get(prefix, prefix)


def country_of_zone(zone: str | None) -> str:
    """The country of an IANA time zone ("Europe/Berlin" → "DE"); "" for UTC and the like."""
    territory = get_global("zone_territories").get(zone or "", "")
    return territory if len(territory) == 2 and territory.isalpha() else ""


def _address_lines(address: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (address or "").splitlines() if line.strip())


def _exemption_reason(rows: tuple[TaxRow, ...]) -> str | None:
    exempt = [row for row in rows if row.category in NO_TAX_CATEGORIES]
    return exempt[0].exemption_reason if exempt else None


def tax_row_of(tax: InvoiceTax | CreditNoteTax) -> TaxRow:
    """A stored tax row (an invoice's or a credit note's) as the tax rules read it."""
    return TaxRow(
        category=TaxCategory(tax.category),
        rate=canonical_rate(Decimal(tax.rate)),
        taxable=tax.taxable_cents,
        tax=tax.tax_cents,
        exemption_reason=tax.exemption_reason or None,
    )


def _document_line(line: InvoiceLine, rows: tuple[TaxRow, ...]) -> DocumentLine:
    category, rate = _line_tax(line.tax_rate, rows)
    return DocumentLine(
        description=line.description,
        quantity=Decimal(line.quantity),
        unit_price=line.unit_price_cents,
        net_amount=line.amount_cents,
        tax_category=category,
        tax_rate=rate,
        period_start=line.period_start,
        period_end=line.period_end,
    )


def _credited_line(line: CreditNoteLine, rows: tuple[TaxRow, ...]) -> DocumentLine:
    category, rate = _line_tax(line.tax_rate, rows)
    return DocumentLine(
        description=line.description,
        quantity=Decimal(1),
        unit_price=line.amount_cents,
        net_amount=line.amount_cents,
        tax_category=category,
        tax_rate=rate,
    )


def _whole_invoice_line(invoice: Invoice, rows: tuple[TaxRow, ...]) -> DocumentLine:
    category, rate = _line_tax(None, rows)
    return DocumentLine(
        description=WHOLE_INVOICE_LINE,
        quantity=Decimal(1),
        unit_price=invoice.subtotal_cents if rows else invoice.total_cents,
        net_amount=invoice.subtotal_cents if rows else invoice.total_cents,
        tax_category=category,
        tax_rate=rate,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
    )


def _line_tax(rate: Decimal | None, rows: tuple[TaxRow, ...]) -> tuple[TaxCategory, Decimal]:
    """The category and rate of a line, as the invoice's breakdown grouped it.

    An exempt or reverse-charge invoice puts every line in its one category at rate 0; without a
    breakdown (issued before taxes were recorded) every line is outside the scope of tax.
    """
    exempt = [row for row in rows if row.category in NO_TAX_CATEGORIES]
    if exempt:
        return exempt[0].category, exempt[0].rate
    if rate is None or not rows:
        return TaxCategory.OUTSIDE_SCOPE, Decimal(0)
    return tax_category(rate, None), canonical_rate(Decimal(rate))
