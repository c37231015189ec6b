"""Billing on schedule: the cycle day starts one run per tenant, however many schedulers tick."""

import asyncio
from datetime import UTC, datetime

import pytest

from billing.runs.lifecycle import RunStatus, RunTrigger
from orm.models import InvoiceRun
from tests.support.factories import make_client, make_service, make_tenant
from workers.scheduler import start_scheduled_runs

pytestmark = pytest.mark.asyncio

CYCLE_DAY_MORNING = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


async def test_the_cycle_day_starts_one_scheduled_run_even_with_two_schedulers(db: str) -> None:
    tenant = await make_tenant(auto_generate=True, billing_cycle_day=5)
    await make_service(await make_client(tenant, "c-1"))

    started = await asyncio.gather(
        start_scheduled_runs(CYCLE_DAY_MORNING), start_scheduled_runs(CYCLE_DAY_MORNING)
    )
    restarted = await start_scheduled_runs(CYCLE_DAY_MORNING.replace(hour=23))

    assert sorted(len(ids) for ids in started) == [0, 1] and restarted == []
    run = await InvoiceRun.get(tenant=tenant)
    assert (run.trigger, run.billing_date.isoformat(), run.status) == (
        RunTrigger.SCHEDULE,
        "2026-12-05",
        RunStatus.QUEUED,
    )


async def test_no_run_off_the_cycle_day_or_without_automatic_generation(db: str) -> None:
    await make_tenant("auto", auto_generate=True, billing_cycle_day=6)
    await make_tenant("manual", auto_generate=False, billing_cycle_day=5)

    assert await start_scheduled_runs(CYCLE_DAY_MORNING) == []
    assert not await InvoiceRun.exists()


async def test_the_cycle_day_is_the_tenants_local_day(db: str) -> None:
    await make_tenant(auto_generate=True, billing_cycle_day=5, timezone="America/Chicago")

    # 03:00 UTC on the 5th is still the 4th in Chicago.
    assert await start_scheduled_runs(datetime(2026, 12, 5, 3, 0, tzinfo=UTC)) == []
    assert len(await start_scheduled_runs(datetime(2026, 12, 5, 7, 0, tzinfo=UTC))) == 1
