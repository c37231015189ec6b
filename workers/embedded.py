"""The embedded default: the API process runs the workers and the scheduler itself.

Actors run on the server's own event loop (sharing its database connections); Dramatiq's worker
threads only wait for them. The in-memory queue does not survive a restart, so on start the runs
left queued or running, and the collections passes not done, are handed to the workers again
(billing a chunk twice is refused by the chunk itself, a pass's chunk likewise).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dramatiq import Worker

from billing.collections.pass_open import unfinished_pass_ids
from billing.runs.lifecycle import WORKING_RUN_STATUSES
from ispbox.config import Settings
from orm.models import InvoiceRun
from workers.broker import use_host_loop
from workers.collections import enqueue_collections_pass
from workers.process import start_actors
from workers.runs import enqueue_invoice_run
from workers.scheduler import run_scheduler

log = logging.getLogger(__name__)

_worker: Worker | None = None
_scheduler: asyncio.Task[None] | None = None


async def start_embedded_workers(
    settings: Settings, *, scheduler: bool = True, threads: int = 4
) -> None:
    """Declare the actors on the in-memory broker and run them (and the schedule) here."""
    global _worker, _scheduler
    broker = start_actors(settings)
    use_host_loop(asyncio.get_running_loop())
    _worker = Worker(broker, worker_threads=threads, worker_timeout=100)
    _worker.start()
    await resume_unfinished_runs()
    await resume_unfinished_passes()
    if scheduler:
        _scheduler = asyncio.create_task(run_scheduler(settings.scheduler_interval_seconds))


@asynccontextmanager
async def embedded_workers(settings: Settings) -> AsyncIterator[None]:
    """The workers and the scheduler running in this process for as long as the block lasts."""
    await start_embedded_workers(settings)
    try:
        yield
    finally:
        await stop_embedded_workers()


async def resume_unfinished_runs() -> None:
    async for run in InvoiceRun.filter(status__in=WORKING_RUN_STATUSES):
        log.info("resuming run %s", run.id)
        enqueue_invoice_run(run.id)


async def resume_unfinished_passes() -> None:
    for pass_id in await unfinished_pass_ids():
        log.info("resuming collections pass %s", pass_id)
        enqueue_collections_pass(pass_id)


async def stop_embedded_workers() -> None:
    global _worker, _scheduler
    if _scheduler is not None:
        _scheduler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _scheduler
        _scheduler = None
    if _worker is not None:
        # Joining the worker threads blocks; they may be waiting on this loop, so join elsewhere.
        await asyncio.get_running_loop().run_in_executor(None, _worker.stop)
        _worker = None
