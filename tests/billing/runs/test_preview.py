"""The dry run counts what the run then bills: the same clients, lines and amounts to the cent,
and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from billing.clients.eligibility import ClientStatus
from billing.runs.preview import preview_run
from orm.models import Charge, Invoice, InvoiceLine, Service
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio

RUN_DATE = date(2026, 11, 20)


async def tenant_with_due_work(**settings: object):
    tenant = await make_tenant(**settings)
    behind = await make_client(tenant, "behind")
    await make_service(behind, price="10.01", next_bill_date=date(2026, 9, 1))
    await make_charge(behind, amount="0.99", scheduled_on=date(2026, 11, 10))
    current = await make_client(tenant, "current")
    await make_service(current, price="49.99", next_bill_date=date(2026, 11, 15))
    later = await make_client(tenant, "later")
    await make_service(later, next_bill_date=date(2026, 12, 15))
    blocked = await make_client(tenant, "blocked", blocked=True)
    await make_service(blocked, next_bill_date=date(2026, 11, 1))
    gone = await make_client(tenant, "gone", status=ClientStatus.INACTIVE)
    await make_service(gone, next_bill_date=date(2026, 11, 1))
    return tenant, behind


@pytest.mark.parametrize("settings", [{}, {"default_tax_rate": "19"}], ids=["no tax", "taxed"])
async def test_the_preview_is_what_the_run_then_bills(db: str, settings: dict) -> None:
    tenant, _ = await tenant_with_due_work(**settings)

    preview = await preview_run(tenant, RUN_DATE)
    assert await Invoice.filter(tenant=tenant).count() == 0, "the dry run writes nothing"

    await run_invoices(tenant, RUN_DATE, today=RUN_DATE)
    invoices = await Invoice.filter(tenant=tenant)
    assert preview.clients_considered == 3  # active, not blocked: behind, current, later
    assert preview.clients_billed == len(invoices) == 2
    assert preview.lines == await InvoiceLine.filter(tenant=tenant).count()
    assert preview.subtotal_cents == sum(invoice.subtotal_cents for invoice in invoices)
    assert preview.tax_cents == sum(invoice.tax_cents for invoice in invoices)
    assert preview.total_cents == sum(invoice.total_cents for invoice in invoices)
    assert preview.clients_not_billed == 0


async def test_the_preview_of_one_client_counts_that_client_alone(db: str) -> None:
    tenant, behind = await tenant_with_due_work()

    preview = await preview_run(tenant, RUN_DATE, behind.id)

    assert (preview.clients_considered, preview.clients_billed) == (1, 1)
    # Three monthly periods (September to November) and the charge.
    assert preview.lines == 4
    assert preview.total_cents == 3 * 1001 + 99


async def test_the_preview_moves_no_schedule_and_takes_no_charge(db: str) -> None:
    tenant, behind = await tenant_with_due_work()
    before = [(s.id, s.next_bill_date) for s in await Service.filter(tenant=tenant)]

    await preview_run(tenant, RUN_DATE)

    assert [(s.id, s.next_bill_date) for s in await Service.filter(tenant=tenant)] == before
    assert {charge.status for charge in await Charge.filter(client=behind)} == {"pending"}
