"""Wake-ups from PostgreSQL notifications: sent at commit, to the waiters of the key only; on
SQLite nothing listens and the waiters know it."""

import asyncio
from datetime import date

import pytest
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from orm.models import InvoiceRun
from orm.notifications import Channel
from tests.support.builders import make_run
from tests.support.factories import make_tenant

pytestmark = pytest.mark.asyncio


async def step(run: InvoiceRun) -> None:
    await InvoiceRun.filter(id=run.id).update(progress_version=F("progress_version") + 1)


@pytest.mark.postgres_only
async def test_a_progress_step_wakes_the_waiters_of_its_run_at_commit(db: str) -> None:
    tenant = await make_tenant()
    run = await make_run(tenant, billing_date=date(2026, 11, 1))
    other = await make_run(tenant, billing_date=date(2026, 12, 1))
    channel = Channel("invoice_run_progress")
    async with channel.waiting(str(run.id)) as mine, channel.waiting(str(other.id)) as theirs:
        assert mine.listening and theirs.listening
        async with in_transaction():
            await step(run)
            await asyncio.sleep(0.2)
            assert not mine.event.is_set()
        await asyncio.wait_for(mine.event.wait(), 5)
        assert not theirs.event.is_set()


@pytest.mark.sqlite_only
async def test_without_postgresql_waiters_are_told_nothing_listens(db: str) -> None:
    async with Channel("invoice_run_progress").waiting("1") as wakeup:
        assert not wakeup.listening
