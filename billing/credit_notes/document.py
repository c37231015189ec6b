"""A stored credit note as the document the customer receives (`InvoiceDocument`, type 381).

Its lines, tax rows and figures are the credit note's own, printed positive; it names the invoice
it credits and its reason. The whole amount is settled when the credit note is issued (taken off
the invoice, added to the client's credit, or paid back), so nothing is left due on it.
"""

from __future__ import annotations

from decimal import Decimal

from billing.credit_notes.amounts import exemption_of
from billing.invoices.documents import Buyer, DocumentKind, DocumentLine, InvoiceDocument, Seller
from billing.money import minor_unit_digits
from billing.taxes.calculation import TaxCategory, TaxExemption, TaxRow, tax_category
from orm.models import Client, CreditNote, CreditNoteLine, CreditNoteTax, Invoice, Tenant

# Where neither party's VAT id names a country (ISO 3166-1 alpha-2).
UNKNOWN_COUNTRY = "US"


async def load_credit_note_document(tenant_id: int, credit_note_id: int) -> InvoiceDocument | None:
    """The tenant's credit note as a document; None where the tenant has no such credit note."""
    note = await CreditNote.get_or_none(id=credit_note_id, tenant_id=tenant_id)
    if note is None:
        return None
    tenant = await Tenant.get(id=tenant_id)
    client = await Client.get(id=note.client_id)
    invoice = await Invoice.get(id=note.invoice_id)
    lines = await CreditNoteLine.filter(credit_note_id=note.id).order_by("position", "id")
    rows = [_tax_row(row) for row in await CreditNoteTax.filter(credit_note_id=note.id)]
    exemption = exemption_of(rows)
    return InvoiceDocument(
        kind=DocumentKind.CREDIT_NOTE,
        number=note.number,
        issue_date=note.issued_on,
        due_date=None,
        currency=note.currency,
        exponent=minor_unit_digits(note.currency),
        seller=_seller(tenant),
        buyer=_buyer(client, exemption),
        lines=tuple(_document_line(line, exemption) for line in lines),
        tax_rows=tuple(rows),
        subtotal=note.subtotal_cents,
        tax_total=note.tax_cents,
        total=note.total_cents,
        amount_paid=note.total_cents,
        balance_due=0,
        invoice_number=invoice.number,
        invoice_issue_date=invoice.issued_on,
        reason=note.reason,
    )


def country_of(tax_id: str | None) -> str:
    """The country a VAT id begins with (DE136695976 → DE), else UNKNOWN_COUNTRY."""
    prefix = (tax_id or "")[:2]
    return prefix.upper() if len(prefix) == 2 and prefix.isalpha() else UNKNOWN_COUNTRY


def _address(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _seller(tenant: Tenant) -> Seller:
    return Seller(
        legal_name=tenant.legal_name or tenant.name,
        address_lines=_address(tenant.address),
        country_code=country_of(tenant.tax_id),
        tax_id=tenant.tax_id,
        payment_instructions=tenant.payment_instructions,
    )


def _buyer(client: Client, exemption: TaxExemption | None) -> Buyer:
    return Buyer(
        name=client.name,
        address_lines=_address(client.address),
        country_code=country_of(client.tax_id),
        account_key=client.key,
        tax_id=client.tax_id,
        exemption_reason=exemption.reason if exemption else None,
    )


def _document_line(line: CreditNoteLine, exemption: TaxExemption | None) -> DocumentLine:
    category = tax_category(line.tax_rate, exemption)
    taxed = category in (TaxCategory.STANDARD, TaxCategory.ZERO_RATED)
    return DocumentLine(
        description=line.description,
        quantity=Decimal(1),
        unit_price=line.amount_cents,
        net_amount=line.amount_cents,
        tax_category=category,
        tax_rate=line.tax_rate if taxed and line.tax_rate is not None else Decimal(0),
    )


def _tax_row(row: CreditNoteTax) -> TaxRow:
    return TaxRow(
        category=TaxCategory(row.category),
        rate=row.rate,
        taxable=row.taxable_cents,
        tax=row.tax_cents,
        exemption_reason=row.exemption_reason,
    )
