"""Crash safety: a run over thousands of clients whose `ispbox worker` is SIGKILLed again and again
at seeded random moments while it works, and started again each time, still bills everything
exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.ledger import assert_billed_exactly_once
from tests.reliability.run_driver import (
    FaultLog,
    Strike,
    bill_under_strikes,
    others_in_transaction,
    queued_run,
)
from tests.support.services import REDIS_URL, require_service
from tests.support.worker_process import WorkerProcess

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

    async def kill_and_restart(worker: WorkerProcess) -> Strike:
        open_now = await others_in_transaction(database)
        worker.kill()
        worker.start()
        return Strike(f"SIGKILL with {open_now} transactions open", open_now > 0)

    run, mid_transaction = await bill_under_strikes(
        db,
        tmp_path / "worker.log",
        run.id,
        faults,
        broker_url=REDIS_URL,
        chunk_size=CHUNK_SIZE,
        strikes=KILLS,
        max_delay=MAX_DELAY_SECONDS,
        strike=kill_and_restart,
        finish_within=240,
    )

    print(f"{faults.summary()}; {mid_transaction} struck inside an open transaction")
    assert len(faults.faults) >= MIN_KILLS, "the run ended before enough kills had landed"
    await assert_billed_exactly_once(ledger, run.id)
