"""The per-status invoice totals the database triggers keep match the invoices themselves after
every kind of change, and folding them changes no sum."""

from datetime import date

import pytest

from billing.invoices.delete import delete_invoice
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.totals import StatusTotals, fold_invoice_totals, totals_by_status
from billing.invoices.void import void_invoice
from billing.runs.review import discard_invoice_run, finalize_invoice_run
from orm.models import Invoice, InvoiceStatusTotals, Tenant
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio


async def counted_from_invoices(tenant: Tenant) -> list[StatusTotals]:
    """The same totals, added up from the invoices one by one."""
    invoices = await Invoice.filter(tenant_id=tenant.id)
    return [
        StatusTotals(
            status=status,
            count=sum(1 for i in invoices if i.status == status),
            total_cents=sum(i.total_cents for i in invoices if i.status == status),
            balance_cents=sum(i.balance_cents for i in invoices if i.status == status),
            outstanding_cents=sum(max(i.balance_cents, 0) for i in invoices if i.status == status),
        )
        for status in InvoiceStatus
    ]


async def tenant_with_clients(count: int) -> Tenant:
    tenant = await make_tenant()
    for n in range(count):
        client = await make_client(tenant, f"c-{n}")
        await make_service(client, price=f"{10 + n}.50")
        if n % 2:
            await make_charge(client)
    return tenant


async def test_a_run_adds_its_invoices_to_the_totals(db: str) -> None:
    tenant = await tenant_with_clients(7)

    await run_invoices(tenant, date(2026, 11, 20))

    assert await totals_by_status(tenant.id) == await counted_from_invoices(tenant)
    assert (await totals_by_status(tenant.id))[1].count == 7  # unpaid


async def test_void_and_delete_move_the_totals_with_the_invoices(db: str) -> None:
    tenant = await tenant_with_clients(4)
    await run_invoices(tenant, date(2026, 11, 20))
    first, second = await Invoice.filter(tenant_id=tenant.id).order_by("id").limit(2)

    await void_invoice(
        tenant_id=tenant.id,
        user_id=None,
        invoice_id=first.id,
        reset_service_schedule=True,
        reason="Billed by mistake.",
    )
    await delete_invoice(tenant_id=tenant.id, user_id=None, invoice_id=second.id, development=True)

    assert await totals_by_status(tenant.id) == await counted_from_invoices(tenant)


async def test_review_drafts_count_as_drafts_until_finalized_or_discarded(db: str) -> None:
    tenant = await tenant_with_clients(5)
    run = await run_invoices(tenant, date(2026, 11, 20), review=True)
    drafts = await totals_by_status(tenant.id)
    assert drafts == await counted_from_invoices(tenant)
    assert drafts[0].status == InvoiceStatus.DRAFT and drafts[0].count == 5

    await discard_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id)
    assert await totals_by_status(tenant.id) == await counted_from_invoices(tenant)

    again = await run_invoices(tenant, date(2026, 11, 20), review=True)
    await finalize_invoice_run(tenant_id=tenant.id, user_id=None, run_id=again.id)
    assert await totals_by_status(tenant.id) == await counted_from_invoices(tenant)


async def test_folding_keeps_every_sum_and_leaves_one_row_per_status(db: str) -> None:
    tenant = await tenant_with_clients(6)
    await run_invoices(tenant, date(2026, 11, 20), chunk_size=1)
    before = await totals_by_status(tenant.id)

    await fold_invoice_totals(tenant.id)

    assert await totals_by_status(tenant.id) == before
    statuses = await InvoiceStatusTotals.filter(tenant_id=tenant.id).values_list(
        "status", flat=True
    )
    assert len(statuses) == len(set(statuses))


async def test_totals_belong_to_their_tenant(db: str) -> None:
    tenant = await tenant_with_clients(3)
    other = await make_tenant("other")
    await make_service(await make_client(other, "o-1"))
    await run_invoices(tenant, date(2026, 11, 20))
    await run_invoices(other, date(2026, 11, 20))

    assert await totals_by_status(tenant.id) == await counted_from_invoices(tenant)
    assert await totals_by_status(other.id) == await counted_from_invoices(other)
