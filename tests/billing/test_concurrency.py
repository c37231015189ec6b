"""Races the database must settle: parallel chunks numbering, racing run starts and runs."""

import asyncio
from datetime import date

import pytest

from billing.errors import BillingRuleError, ErrorCode
from billing.runs.engine import bill_chunk, open_run
from billing.runs.lifecycle import RunStatus
from billing.runs.planning import start_invoice_run
from orm.models import Invoice, InvoiceLine, InvoiceRun
from tests.support.factories import make_client, make_service, make_tenant

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]


async def test_chunks_billed_in_parallel_get_unique_gap_free_numbers(db: str) -> None:
    tenant = await make_tenant()
    for n in range(60):
        await make_service(await make_client(tenant, f"c-{n:03}"))
    run = await start_invoice_run(
        tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
    )
    chunk_ids = await open_run(run.id, chunk_size=5)

    # Every chunk delivered twice at once, as after a redelivery racing the first attempt.
    await asyncio.gather(*(bill_chunk(chunk_id) for chunk_id in chunk_ids * 2))

    numbers = sorted(await Invoice.all().values_list("number", flat=True))
    assert numbers == [f"INV-{n:06}" for n in range(1, 61)]
    run = await InvoiceRun.get(id=run.id)
    assert (run.status, run.invoices_issued, run.chunks_done) == (RunStatus.COMPLETED, 60, 12)


async def test_many_run_starts_at_once_let_exactly_one_run_proceed(db: str) -> None:
    tenant = await make_tenant()
    await make_service(await make_client(tenant, "c-1"))

    outcomes = await asyncio.gather(
        *(
            start_invoice_run(
                tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
            )
            for _ in range(8)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(o, InvoiceRun) for o in outcomes) == 1
    refused = [o for o in outcomes if isinstance(o, BillingRuleError)]
    assert len(refused) == 7 and {r.code for r in refused} == {ErrorCode.RUN_IN_PROGRESS}


async def test_two_tenants_billing_at_once_number_independently(db: str) -> None:
    tenants = [await make_tenant("north"), await make_tenant("south")]
    for tenant in tenants:
        for n in range(20):
            await make_service(await make_client(tenant, f"c-{n}"))
    runs = [
        await start_invoice_run(
            t, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
        )
        for t in tenants
    ]
    chunk_ids = [c for run in runs for c in await open_run(run.id, chunk_size=4)]

    await asyncio.gather(*(bill_chunk(chunk_id) for chunk_id in chunk_ids))

    for tenant in tenants:
        numbers = sorted(await Invoice.filter(tenant=tenant).values_list("number", flat=True))
        assert numbers == [f"INV-{n:06}" for n in range(1, 21)]
    assert await InvoiceLine.filter(live=True).count() == 40
