"""The Subscription type: a run's progress, read from the database so that workers in other
processes are seen too. On PostgreSQL each progress step's commit wakes the subscription at once
(a notification); it also looks by itself now and then, and every POLL_SECONDS on SQLite."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator

import strawberry

from graph.context import Info
from graph.errors import NotFound
from graph.ids import parse_id
from graph.permissions import CanViewBilling
from graph.types.run import InvoiceRun
from orm import models
from orm.models.enums import TERMINAL_RUN_STATUSES
from orm.notifications import Channel

POLL_SECONDS = 0.2
# Woken by notifications, a subscription still looks this often, in case one was missed.
NOTIFIED_POLL_SECONDS = 2.0
RUN_PROGRESS = Channel("invoice_run_progress")


async def _tenant_run(tenant_id: int, run_id: int) -> models.InvoiceRun | None:
    return await models.InvoiceRun.get_or_none(id=run_id, tenant_id=tenant_id)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[CanViewBilling],
        description="The run as it changes: one event on subscribe, one per progress step, the "
        "last in a status where the run's work has stopped (AWAITING_REVIEW, COMPLETED, "
        "COMPLETED_WITH_ERRORS, FAILED, DISCARDED).",
    )
    async def invoice_run_progress(
        self, info: Info, run_id: strawberry.ID
    ) -> AsyncGenerator[InvoiceRun, None]:
        tenant_id = info.context.tenant.id
        parsed = parse_id(run_id)
        run = await _tenant_run(tenant_id, parsed) if parsed else None
        if run is None:
            raise NotFound("No such invoice run.", field="runId")
        async with RUN_PROGRESS.waiting(str(run.id)) as wakeup:
            # Read after listening starts: a step committed before is in this first event.
            run = await _tenant_run(tenant_id, run.id) or run
            yield InvoiceRun.from_model(run)
            seen = (run.progress_version, run.status)
            interval = NOTIFIED_POLL_SECONDS if wakeup.listening else POLL_SECONDS
            while run.status not in TERMINAL_RUN_STATUSES:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.event.wait(), interval)
                wakeup.event.clear()
                latest = await _tenant_run(tenant_id, run.id)
                if latest is None:
                    return
                run = latest
                if (run.progress_version, run.status) != seen:
                    seen = (run.progress_version, run.status)
                    info.context.refresh()
                    yield InvoiceRun.from_model(run)
