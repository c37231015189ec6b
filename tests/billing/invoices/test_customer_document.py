"""An invoice read from the database as its customer's document: identity, taxes, marks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.invoices.customer_document import (
    country_of_tax_id,
    country_of_zone,
    load_customer_document,
)
from billing.invoices.documents import cii_xml
from billing.invoices.lifecycle import InvoiceStatus
from billing.taxes import TaxCategory
from orm.models import Client, Invoice, InvoiceTax, Tenant
from tests.support.builders import add_line, make_client, make_invoice, make_tenant
from tests.support.documents import (
    BUYER_TAX_ID,
    SELLER_NAME,
    SELLER_TAX_ID,
    give_identities,
    make_taxed_invoice,
)


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [
        ("DE136695976", "DE"),
        ("EL094259216", "GR"),
        (" fr40303265045", "FR"),
        ("12345", ""),
        (None, ""),
    ],
)
def test_the_country_is_the_tax_numbers_prefix(tax_id: str | None, country: str) -> None:
    assert country_of_tax_id(tax_id) == country


@pytest.mark.parametrize(("zone", "country"), [("Europe/Berlin", "DE"), ("UTC", ""), ("", "")])
def test_without_a_tax_number_the_country_is_the_time_zones(zone: str, country: str) -> None:
    assert country_of_zone(zone) == country


@pytest.mark.asyncio
async def test_seller_and_buyer_come_from_tenant_and_client(db: str) -> None:
    tenant = await make_tenant("acme")
    client = await make_client(tenant, "C-0042", name="Ada Lovelace")
    await give_identities(tenant, client)
    invoice = await make_taxed_invoice(client)

    loaded = await load_customer_document(tenant.id, invoice.id)

    assert loaded is not None
    document = loaded.document
    assert (document.seller.legal_name, document.seller.tax_id) == (SELLER_NAME, SELLER_TAX_ID)
    assert document.seller.address_lines == ("Hafenstraße 5", "20457 Hamburg")
    assert (document.buyer.name, document.buyer.account_key) == ("Ada Lovelace", "C-0042")
    assert (document.buyer.tax_id, document.buyer.country_code) == (BUYER_TAX_ID, "GR")
    assert (document.subtotal, document.tax_total, document.total) == (6155, 1110, 7265)
    assert [line.tax_rate for line in document.lines] == [Decimal(19), Decimal(19), Decimal(7)]
    assert document.mark is None


@pytest.mark.asyncio
async def test_without_legal_name_or_tax_numbers_the_name_and_time_zone_serve(db: str) -> None:
    tenant = await make_tenant("acme")
    await Tenant.filter(id=tenant.id).update(timezone="Europe/Vienna")
    invoice = await make_invoice(await make_client(tenant, "c1"), "INV-1", total="10.00")
    await add_line(invoice, unit_price="10.00")

    loaded = await load_customer_document(tenant.id, invoice.id)

    assert loaded is not None
    seller, buyer = loaded.document.seller, loaded.document.buyer
    assert (seller.legal_name, seller.country_code, seller.tax_id) == (tenant.name, "AT", None)
    assert buyer.country_code == "AT"
    # Issued before taxes were recorded: outside the scope of tax, figures adding up.
    [row] = loaded.document.tax_rows
    assert (row.category, row.taxable, row.tax) == (TaxCategory.OUTSIDE_SCOPE, 1000, 0)
    assert loaded.document.total == 1000


EXEMPTION = "Exempt: Art. 132(1)(a) VAT Directive"


async def exempt_invoice(client: Client) -> Invoice:
    """An invoice of 10.00 issued under the tax exemption EXEMPTION."""
    invoice = await make_invoice(client, "INV-1", total="10.00")
    await add_line(invoice, unit_price="10.00")
    await InvoiceTax.create(
        tenant_id=client.tenant_id,
        invoice=invoice,
        category="E",
        rate=Decimal(0),
        taxable_cents=1000,
        tax_cents=0,
        exemption_reason=EXEMPTION,
    )
    return invoice


@pytest.mark.asyncio
async def test_an_exempt_clients_lines_and_reason_are_printed(db: str) -> None:
    tenant = await make_tenant("acme")
    client = await make_client(tenant, "c1")
    await Client.filter(id=client.id).update(tax_exempt=True, tax_exempt_reason=EXEMPTION)
    invoice = await exempt_invoice(client)

    loaded = await load_customer_document(tenant.id, invoice.id)

    assert loaded is not None
    assert loaded.document.buyer.exemption_reason == EXEMPTION
    assert [line.tax_category for line in loaded.document.lines] == [TaxCategory.EXEMPT]
    assert EXEMPTION.encode() in cii_xml(loaded.document)


@pytest.mark.asyncio
async def test_drafts_and_void_invoices_are_marked_and_show_no_internal_fields(db: str) -> None:
    tenant = await make_tenant("acme")
    client = await make_client(tenant, "c1")
    draft = await make_invoice(client, None, status=InvoiceStatus.DRAFT)
    void = await make_invoice(client, "INV-2", status=InvoiceStatus.VOID)
    await Invoice.filter(id=void.id).update(void_reason="Agreed off the books")

    loaded_draft = await load_customer_document(tenant.id, draft.id)
    loaded_void = await load_customer_document(tenant.id, void.id)

    assert loaded_draft is not None and loaded_void is not None
    assert (loaded_draft.number, loaded_draft.document.mark) == (str(draft.id), "DRAFT")
    assert loaded_draft.is_draft
    assert loaded_void.document.mark == "VOID"
    assert "off the books" not in repr(loaded_void.document)
    assert "grace" not in repr(loaded_void.document).lower()


@pytest.mark.asyncio
async def test_another_tenants_invoice_is_none(db: str) -> None:
    tenant = await make_tenant("acme")
    invoice = await make_invoice(await make_client(tenant, "c1"), "INV-1")

    assert await load_customer_document(tenant.id + 1, invoice.id) is None
