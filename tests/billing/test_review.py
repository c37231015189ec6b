"""Review runs: drafts that take their periods, then finalize or discard."""

import asyncio
from datetime import date

import pytest

from billing.clients.eligibility import ChargeStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from billing.runs.lifecycle import RunStatus
from billing.runs.planning import start_invoice_run
from billing.runs.review import discard_invoice_run, finalize_invoice_run
from orm.models import Charge, Invoice, InvoiceRun, Service, Tenant
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio


async def tenant_with_two_clients() -> Tenant:
    tenant = await make_tenant()
    for key in ("c-1", "c-2"):
        client = await make_client(tenant, key)
        await make_service(client, next_bill_date=date(2026, 10, 1))
        await make_charge(client)
    free = await make_client(tenant, "c-3")
    await make_service(free, price="0.00")
    return tenant


def drafts_signature(invoices: list[Invoice]) -> list[tuple[int, int, date | None]]:
    return sorted((i.client_id, i.total_cents, i.period_start) for i in invoices)


async def test_review_run_makes_unnumbered_drafts_and_waits(db: str) -> None:
    tenant = await tenant_with_two_clients()

    run = await run_invoices(tenant, date(2026, 11, 20), review=True)

    assert run.status == RunStatus.AWAITING_REVIEW
    drafts = await Invoice.filter(run_id=run.id)
    assert len(drafts) == 3 == run.invoices_issued
    assert all(d.status == InvoiceStatus.DRAFT and d.number is None for d in drafts)
    assert (await Tenant.get(id=tenant.id)).invoice_sequence == 0
    assert not await Service.filter(next_bill_date__lte=date(2026, 11, 20)).exists()
    with pytest.raises(BillingRuleError) as refused:
        await start_invoice_run(
            tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
        )
    assert refused.value.code == ErrorCode.RUN_IN_PROGRESS


async def test_discard_restores_schedules_and_charges_and_the_same_run_gives_the_same_drafts(
    db: str,
) -> None:
    tenant = await tenant_with_two_clients()
    before = sorted(await Service.all().values_list("id", "next_bill_date"))
    first = await run_invoices(tenant, date(2026, 11, 20), review=True)
    first_drafts = drafts_signature(await Invoice.filter(run_id=first.id))

    discarded = await discard_invoice_run(tenant_id=tenant.id, user_id=None, run_id=first.id)

    assert discarded.status == RunStatus.DISCARDED
    assert not await Invoice.exists()
    assert sorted(await Service.all().values_list("id", "next_bill_date")) == before
    assert not await Charge.exclude(status=ChargeStatus.PENDING).exists()
    second = await run_invoices(tenant, date(2026, 11, 20), review=True)
    assert drafts_signature(await Invoice.filter(run_id=second.id)) == first_drafts


async def test_finalize_numbers_the_drafts_gap_free_and_a_later_run_bills_nothing_twice(
    db: str,
) -> None:
    tenant = await tenant_with_two_clients()
    run = await run_invoices(tenant, date(2026, 11, 20), review=True)

    finalized = await finalize_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id)

    assert finalized.status == RunStatus.COMPLETED
    invoices = await Invoice.filter(run_id=run.id).order_by("id")
    assert [i.number for i in invoices] == ["INV-000001", "INV-000002", "INV-000003"]
    assert [i.status for i in invoices] == [
        InvoiceStatus.UNPAID,
        InvoiceStatus.UNPAID,
        InvoiceStatus.PAID,
    ]
    later = await run_invoices(tenant, date(2026, 11, 20))
    assert later.invoices_issued == 0


@pytest.mark.parametrize("action", [finalize_invoice_run, discard_invoice_run])
async def test_finalize_or_discard_of_a_run_not_awaiting_review_is_refused(db: str, action) -> None:
    tenant = await tenant_with_two_clients()
    run = await run_invoices(tenant, date(2026, 11, 20))

    with pytest.raises(BillingRuleError) as refused:
        await action(tenant_id=tenant.id, user_id=None, run_id=run.id)

    assert refused.value.code == ErrorCode.NOT_AWAITING_REVIEW
    assert (await InvoiceRun.get(id=run.id)).status == RunStatus.COMPLETED


@pytest.mark.postgres_only
async def test_finalize_racing_a_discard_lets_exactly_one_win(db: str) -> None:
    tenant = await tenant_with_two_clients()
    run = await run_invoices(tenant, date(2026, 11, 20), review=True)

    outcomes = await asyncio.gather(
        finalize_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id),
        discard_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id),
        finalize_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if isinstance(o, InvoiceRun)]
    losers = [o for o in outcomes if isinstance(o, BillingRuleError)]
    assert len(winners) == 1 and len(losers) == 2
    assert all(loser.code == ErrorCode.NOT_AWAITING_REVIEW for loser in losers)
    final = await InvoiceRun.get(id=run.id)
    invoices = await Invoice.filter(run_id=run.id)
    if final.status == RunStatus.DISCARDED:
        assert invoices == []
    else:
        assert sorted(i.number for i in invoices) == ["INV-000001", "INV-000002", "INV-000003"]


async def test_a_review_run_with_nothing_to_bill_ends_without_waiting_for_review(db: str) -> None:
    tenant = await make_tenant()
    await make_service(await make_client(tenant, "c-1", blocked=True))

    run = await run_invoices(tenant, date(2026, 11, 20), review=True)

    assert (run.status, run.invoices_issued) == (RunStatus.COMPLETED, 0)
