"""Crash safety: a run whose worker's database connections are terminated again and again while
it bills (`pg_terminate_backend`, mid-chunk as often as not) still completes exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from orm.db import connection
from tests.reliability.ledger import assert_billed_exactly_once
from tests.reliability.run_driver import FaultLog, Strike, bill_under_strikes, queued_run
from tests.reliability.sockets import connections_of_group
from tests.support.services import REDIS_URL, require_service
from tests.support.worker_process import WorkerProcess

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

CLIENTS = 4_000
CHUNK_SIZE = 100
TERMINATIONS = 8
MAX_DELAY_SECONDS = 0.15
POSTGRES_PORT = 5432


async def terminate_backends(database: str, process_group: int) -> tuple[int, int]:
    """Terminate the group's sessions on the database: (how many, how many were in a
    transaction)."""
    ports = [c.local_port for c in connections_of_group(process_group, remote_port=POSTGRES_PORT)]
    if not ports:
        return 0, 0
    rows = await connection().execute_query_dict(
        "SELECT pg_terminate_backend(pid) AS terminated, xact_start IS NOT NULL AS busy "
        "FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() "
        "AND client_port = ANY($2::int[])",
        [database, ports],
    )
    terminated = [row for row in rows if row["terminated"]]
    return len(terminated), sum(bool(row["busy"]) for row in terminated)


async def test_a_run_whose_database_connections_are_terminated_mid_chunk_bills_everything_once(
    db: str, tmp_path: Path
) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    database = db.rsplit("/", 1)[1]
    ledger, run = await queued_run(CLIENTS)
    faults = FaultLog("database sessions terminated")

    async def terminate(worker: WorkerProcess) -> Strike | None:
        assert worker.process is not None
        terminated, busy = await terminate_backends(database, worker.process.pid)
        if not terminated:
            return None
        return Strike(f"{terminated} sessions terminated, {busy} inside a transaction", busy > 0)

    run, mid_transaction = await bill_under_strikes(
        db,
        tmp_path / "worker.log",
        run.id,
        faults,
        broker_url=REDIS_URL,
        chunk_size=CHUNK_SIZE,
        strikes=TERMINATIONS,
        max_delay=MAX_DELAY_SECONDS,
        strike=terminate,
        finish_within=240,
    )

    print(f"{faults.summary()}; {mid_transaction} struck inside an open transaction")
    assert len(faults.faults) == TERMINATIONS, "the run ended before every termination landed"
    assert mid_transaction, "no termination struck a transaction"
    await assert_billed_exactly_once(ledger, run.id)
