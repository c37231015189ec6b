"""Crash safety: a run over thousands of clients whose `ispbox worker` is SIGKILLed again and again
at seeded random moments while it works, and started again each time, still bills everything
exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.reliability.ledger import assert_billed_exactly_once
from tests.reliability.run_driver import (
    FaultLog,
    others_in_transaction,
    queued_run,
    wait_for_run,
    wait_for_work_under_way,
)
from tests.support.services import REDIS_URL, require_service
from tests.support.worker_process import broker_session, enqueue_run, worker_process

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

CLIENTS = 4_000
CHUNK_SIZE = 100
KILLS = 8
# Each kill must strike a run under way; on a fast machine the last ones may find it done.
MIN_KILLS = 5
# How long after the worker opens a transaction the kill may strike: a few chunks' time.
MAX_DELAY_SECONDS = 0.2


async def test_a_run_whose_worker_is_killed_again_and_again_bills_everything_once(
    db: str, tmp_path: Path
) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    database = db.rsplit("/", 1)[1]
    ledger, run = await queued_run(CLIENTS)
    faults = FaultLog("worker SIGKILL")
    mid_transaction = 0

    with (
        broker_session(REDIS_URL) as session,
        worker_process(
            session, db, tmp_path / "worker.log", run_chunk_size=str(CHUNK_SIZE)
        ) as worker,
    ):
        enqueue_run(session, run.id)
        for _ in range(KILLS):
            if not await wait_for_work_under_way(database, run.id, timeout=120):
                break
            await asyncio.sleep(faults.random.uniform(0.0, MAX_DELAY_SECONDS))
            open_now = await others_in_transaction(database)
            worker.kill()
            at = await wait_for_run(run.id, lambda r: True, timeout=10)
            if at.finished_at is not None:
                break
            mid_transaction += open_now > 0
            faults.record(
                f"SIGKILL with {at.chunks_done}/{at.chunks_total} chunks done, "
                f"{open_now} transactions open"
            )
            worker.start()
        run = await wait_for_run(run.id, lambda r: r.finished_at is not None, timeout=240)

    print(f"{faults.summary()}; {mid_transaction} struck inside an open transaction")
    assert len(faults.faults) >= MIN_KILLS, "the run ended before enough kills had landed"
    await assert_billed_exactly_once(ledger, run.id)
