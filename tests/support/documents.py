"""A taxed invoice with full seller and buyer identity, as the documents print it, and its PDF
read back as text."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pypdf

from billing.invoices.lines import InvoiceLineKind
from billing.taxes import TaxableLine, calculate_taxes
from orm.models import Client, Invoice, InvoiceLine, InvoiceTax, Tenant

SELLER_NAME = "Nordlicht Netz GmbH"
SELLER_TAX_ID = "DE136695976"
BUYER_TAX_ID = "EL094259216"
PAYMENT_INSTRUCTIONS = "IBAN DE02 1203 0000 0000 2020 51"
# (description, unit price in cents, rate)
TAXED_LINES = [
    ("Fibre 500", 4990, Decimal(19)),
    ("Static IPv4 address", 666, Decimal(19)),
    ("Router rental", 499, Decimal(7)),
]
PERIOD = (date(2026, 11, 1), date(2026, 11, 30))


async def give_identities(tenant: Tenant, client: Client) -> None:
    """The seller's and the buyer's name, address and tax number."""
    await Tenant.filter(id=tenant.id).update(
        legal_name=SELLER_NAME,
        address="Hafenstraße 5\n20457 Hamburg",
        tax_id=SELLER_TAX_ID,
        payment_instructions=PAYMENT_INSTRUCTIONS,
    )
    await Client.filter(id=client.id).update(
        address="Odos Ermou 12\n105 63 Athina", tax_id=BUYER_TAX_ID
    )


async def make_taxed_invoice(
    client: Client, number: str = "INV-2026-0117", *, paid_cents: int = 0
) -> Invoice:
    """An EUR invoice of three lines at 19 % and 7 %, with its tax rows as the engine gives them."""
    taxes = calculate_taxes(
        [TaxableLine(price, rate) for _, price, rate in TAXED_LINES], prices_include_tax=False
    )
    invoice = await Invoice.create(
        tenant_id=client.tenant_id,
        client=client,
        number=number,
        status="unpaid" if not paid_cents else "partial",
        issued_on=date(2026, 12, 1),
        due_on=date(2026, 12, 15),
        grace_until=date(2026, 12, 22),
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        currency="EUR",
        subtotal_cents=taxes.subtotal,
        tax_cents=taxes.tax_total,
        total_cents=taxes.total,
        balance_cents=taxes.total - paid_cents,
    )
    for position, ((description, price, rate), taxed) in enumerate(
        zip(TAXED_LINES, taxes.lines, strict=True)
    ):
        await InvoiceLine.create(
            tenant_id=client.tenant_id,
            invoice=invoice,
            position=position,
            kind=InvoiceLineKind.SERVICE,
            description=description,
            quantity=Decimal(1),
            unit_price_cents=price,
            amount_cents=taxed.net,
            period_start=PERIOD[0],
            period_end=PERIOD[1],
            tax_rate=rate,
        )
    for row in taxes.rows:
        await InvoiceTax.create(
            tenant_id=client.tenant_id,
            invoice=invoice,
            category=row.category.value,
            rate=row.rate,
            taxable_cents=row.taxable,
            tax_cents=row.tax,
        )
    return invoice


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_attachments(pdf: bytes) -> dict[str, list[bytes]]:
    return dict(pypdf.PdfReader(io.BytesIO(pdf)).attachments)
