"""Invoices to credit: issued with lines at tax rates and the tax rows the engine gives them."""

from __future__ import annotations

from decimal import Decimal

from billing.invoices.lifecycle import InvoiceStatus
from billing.money import to_minor_units
from billing.taxes.calculation import TaxableLine, calculate_taxes
from orm.models import Client, Invoice, InvoiceLine, InvoiceTax
from tests.support.builders import add_line, make_invoice

# (description, net amount, tax rate percent or None)
LineSpec = tuple[str, str, str | None]


async def taxed_invoice(
    client: Client,
    lines: list[LineSpec],
    *,
    number: str = "INV-000001",
    currency: str = "USD",
    status: InvoiceStatus = InvoiceStatus.UNPAID,
    with_tax_rows: bool = True,
) -> Invoice:
    """An issued invoice of these lines (prices exclusive of tax), its totals and tax rows as the
    tax engine works them out; without tax rows, an invoice issued before taxes."""
    invoice = await make_invoice(client, number, status=status, currency=currency, total="0")
    made: list[InvoiceLine] = []
    for position, (description, amount, rate) in enumerate(lines):
        line = await add_line(invoice, description, unit_price=amount, position=position)
        line.tax_rate = Decimal(rate) if rate is not None else None
        await line.save()
        made.append(line)
    calculation = calculate_taxes(
        [TaxableLine(line.amount_cents, line.tax_rate) for line in made], prices_include_tax=False
    )
    if with_tax_rows:
        for row in calculation.rows:
            await InvoiceTax.create(
                tenant_id=invoice.tenant_id,
                invoice=invoice,
                category=row.category.value,
                rate=row.rate,
                taxable_cents=row.taxable,
                tax_cents=row.tax,
            )
    total = calculation.total if with_tax_rows else calculation.subtotal
    invoice.subtotal_cents = calculation.subtotal
    invoice.tax_cents = total - calculation.subtotal
    invoice.total_cents = total
    invoice.balance_cents = 0 if status in (InvoiceStatus.PAID, InvoiceStatus.VOID) else total
    await invoice.save()
    return invoice


def cents(amount: str, currency: str = "USD") -> int:
    return to_minor_units(amount, currency)
