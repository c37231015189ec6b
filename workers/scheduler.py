"""Billing on schedule: each tenant with automatic generation on and a billing cycle day gets
its run on the cycle day, exactly once, however many schedulers run or restart (a unique index on
the run's schedule slot, the cycle date, settles it).

Collections on schedule: every tenant gets its daily collections pass at the scheduler's first
tick of each of its local days (and at start-up, the first tick), once per day (unique (tenant,
day)); a pass not done long after it was handed to the workers is handed again."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from billing.collections.pass_open import passes_to_hand_again, start_due_passes
from billing.dates import today_in
from billing.errors import BillingRuleError
from billing.runs.lifecycle import RunTrigger
from billing.runs.planning import start_invoice_run
from orm.models import InvoiceRun, Tenant
from workers.collections import enqueue_collections_pass
from workers.runs import enqueue_invoice_run

log = logging.getLogger(__name__)

# A pass not done this long after it was handed to the workers is handed again: its message was
# lost (a broker cut) or its workers stopped. Handing it twice does nothing twice.
PASS_HANDED_AGAIN_AFTER = timedelta(minutes=15)


async def start_scheduled_runs(now: datetime | None = None) -> list[int]:
    """Start the runs due now; returns the ids of the runs this call started."""
    started = []
    tenants = Tenant.filter(auto_generate=True, billing_cycle_day__isnull=False)
    async for tenant in tenants:
        today = today_in(tenant.timezone, now)
        if today.day != tenant.billing_cycle_day:
            continue
        if await InvoiceRun.filter(tenant_id=tenant.id, schedule_slot=today).exists():
            continue
        try:
            run = await start_invoice_run(
                tenant,
                user_id=None,
                billing_date=None,
                client_id=None,
                review=None,
                trigger=RunTrigger.SCHEDULE,
                today=today,
            )
        except BillingRuleError as refusal:
            # Another scheduler took the slot, or a run is in progress: try again next tick.
            log.info("scheduled run of tenant %s not started: %s", tenant.key, refusal.message)
            continue
        enqueue_invoice_run(run.id)
        started.append(run.id)
        log.info("scheduled run %s of tenant %s for %s", run.id, tenant.key, today)
    return started


async def start_collections_passes(now: datetime | None = None) -> list[int]:
    """Start today's collections pass of every tenant without one, and hand again the passes
    that stalled; returns the ids of the passes handed to the workers."""
    started = await start_due_passes(now)
    stalled = await passes_to_hand_again(now, after=PASS_HANDED_AGAIN_AFTER)
    for pass_id in started + stalled:
        enqueue_collections_pass(pass_id)
    return started + stalled


async def run_scheduler(interval_seconds: float) -> None:
    """Check the schedule every interval until cancelled."""
    while True:
        for tick in (start_scheduled_runs, start_collections_passes):
            try:
                await tick()
            except Exception:
                log.exception("scheduler tick failed; trying again next tick")
        await asyncio.sleep(interval_seconds)
