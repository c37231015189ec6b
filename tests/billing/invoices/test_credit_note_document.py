"""A credit note read from the database as its customer's document: built as the invoice's is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.credit_notes.issue import CreditNoteRequest, LineAmount, issue_credit_note
from billing.invoices.customer_document import load_credit_note_document, load_customer_document
from billing.invoices.documents import DocumentKind, cii_xml
from billing.taxes import TaxCategory
from orm.models import Client, CreditNote, Invoice, InvoiceLine, Tenant
from tests.billing.invoices.test_customer_document import EXEMPTION, exempt_invoice
from tests.support.builders import make_client, make_tenant
from tests.support.documents import BUYER_TAX_ID, give_identities, make_taxed_invoice

pytestmark = pytest.mark.asyncio

REASON = "Outage in November"


async def credit(invoice: Invoice, lines: tuple[LineAmount, ...] | None = None) -> CreditNote:
    return await issue_credit_note(
        tenant_id=invoice.tenant_id,
        user_id=None,
        request=CreditNoteRequest(invoice_id=invoice.id, reason=REASON, lines=lines),
    )


async def test_seller_buyer_and_countries_are_the_invoices(db: str) -> None:
    tenant = await make_tenant("acme")
    client = await make_client(tenant, "C-0042", name="Ada Lovelace")
    await give_identities(tenant, client)
    invoice = await make_taxed_invoice(client)
    note = await credit(invoice)

    document = await load_credit_note_document(tenant.id, note.id)
    invoice_document = await load_customer_document(tenant.id, invoice.id)

    assert document is not None and invoice_document is not None
    assert document.seller == invoice_document.document.seller
    assert document.buyer == invoice_document.document.buyer
    # The VAT prefix EL names Greece (GR).
    assert (document.buyer.tax_id, document.buyer.country_code) == (BUYER_TAX_ID, "GR")


async def test_it_is_a_credit_note_for_the_invoice_with_its_own_lines_and_rows(db: str) -> None:
    tenant = await make_tenant("acme")
    client = await make_client(tenant, "c1")
    invoice = await make_taxed_invoice(client, "INV-2026-0117")
    fibre = await InvoiceLine.filter(invoice=invoice).order_by("position", "id").first()
    assert fibre is not None
    note = await credit(invoice, (LineAmount(invoice_line_id=fibre.id, amount=Decimal("10.00")),))

    document = await load_credit_note_document(tenant.id, note.id)

    assert document is not None
    assert (document.kind, document.kind.type_code) == (DocumentKind.CREDIT_NOTE, "381")
    assert (document.number, document.invoice_number, document.reason) == (
        note.number,
        "INV-2026-0117",
        REASON,
    )
    assert [(line.net_amount, line.tax_rate) for line in document.lines] == [(1000, Decimal(19))]
    assert (document.subtotal, document.tax_total, document.total) == (1000, 190, 1190)
    assert (document.amount_paid, document.balance_due, document.due_date) == (1190, 0, None)
    assert b"<ram:TypeCode>381</ram:TypeCode>" in cii_xml(document)


async def test_without_tax_numbers_the_country_is_the_sellers_time_zones(db: str) -> None:
    tenant = await make_tenant("acme")
    await Tenant.filter(id=tenant.id).update(timezone="Europe/Vienna")
    invoice = await make_taxed_invoice(await make_client(tenant, "c1"))
    note = await credit(invoice)

    document = await load_credit_note_document(tenant.id, note.id)

    assert document is not None
    assert (document.seller.country_code, document.buyer.country_code) == ("AT", "AT")


async def test_the_exemption_it_was_issued_under_is_printed(db: str) -> None:
    tenant = await make_tenant("acme")
    client = await make_client(tenant, "c1")
    invoice = await exempt_invoice(client)
    note = await credit(invoice)
    # The client's settings since then do not change what the credit note says.
    await Client.filter(id=client.id).update(tax_exempt=False, tax_exempt_reason=None)

    document = await load_credit_note_document(tenant.id, note.id)

    assert document is not None
    assert document.buyer.exemption_reason == EXEMPTION
    assert [line.tax_category for line in document.lines] == [TaxCategory.EXEMPT]


async def test_another_tenants_credit_note_is_none(db: str) -> None:
    tenant = await make_tenant("acme")
    invoice = await make_taxed_invoice(await make_client(tenant, "c1"))
    note = await credit(invoice)

    assert await load_credit_note_document(tenant.id + 1, note.id) is None
