"""The overview's monthly figures: invoiced counts the standing invoices of each month by issue
date, collected the payments by payment date, to the cent, with zeros for quiet months and this
month's change from the last."""

from __future__ import annotations

from datetime import date

import pytest

from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.trends import first_days, monthly_trends
from tests.support.builders import make_client, make_invoice, make_tenant, pay

TODAY = date(2026, 11, 20)


def test_first_days_run_back_across_the_new_year() -> None:
    assert first_days(date(2026, 2, 28), 4) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert first_days(date(2026, 12, 31), 1) == [date(2026, 12, 1)]
    assert len(first_days(TODAY, 12)) == 12


@pytest.mark.asyncio
async def test_invoiced_and_collected_per_month_to_the_cent(db: str) -> None:
    tenant = await make_tenant()
    other = await make_tenant("globex")
    client = await make_client(tenant, "c1")
    stranger = await make_client(other, "g1")
    october = await make_invoice(client, "A", issued_on=date(2026, 10, 1), total="0.10")
    await make_invoice(client, "B", issued_on=date(2026, 10, 31), total="0.20")
    november = await make_invoice(
        client, "C", issued_on=date(2026, 11, 1), total="1000.05", status=InvoiceStatus.PARTIAL
    )
    # Neither a draft nor a void counts; another tenant's never; nor one issued before the window.
    await make_invoice(client, None, issued_on=date(2026, 11, 2), status=InvoiceStatus.DRAFT)
    await make_invoice(client, "V", issued_on=date(2026, 11, 3), status=InvoiceStatus.VOID)
    await make_invoice(stranger, "G", issued_on=date(2026, 11, 3), total="5.00")
    await make_invoice(client, "OLD", issued_on=date(2025, 11, 30), total="7.00")
    await pay(october, "0.10", paid_on=date(2026, 10, 31))
    await pay(november, "300.03", paid_on=date(2026, 11, 1))
    await pay(november, "0.02", paid_on=date(2026, 11, 20))

    trends = await monthly_trends(tenant.id, TODAY, 12)

    assert (trends.months[0].month, trends.months[-1].month) == (
        date(2025, 12, 1),
        date(2026, 11, 1),
    )
    figures = {
        month.month: (
            month.invoiced_cents,
            month.invoice_count,
            month.collected_cents,
            month.payment_count,
        )
        for month in trends.months
    }
    assert figures[date(2026, 10, 1)] == (30, 2, 10, 1)
    assert figures[date(2026, 11, 1)] == (100005, 1, 30005, 2)
    assert all(
        value == (0, 0, 0, 0) for month, value in figures.items() if month < date(2026, 10, 1)
    )
    assert trends.invoiced_change_cents() == 100005 - 30
    assert trends.collected_change_cents() == 30005 - 10
    assert trends.invoice_count_change() == 1 - 2


@pytest.mark.asyncio
async def test_a_tenant_without_invoices_has_twelve_quiet_months(db: str) -> None:
    tenant = await make_tenant()
    trends = await monthly_trends(tenant.id, TODAY)
    assert len(trends.months) == 12
    assert {(m.invoiced_cents, m.collected_cents) for m in trends.months} == {(0, 0)}
    assert trends.invoiced_change_cents() == 0
