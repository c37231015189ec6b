"""Driving a big run through real worker processes: the queued run, waiting on its progress, and
a seeded source of fault moments whose choices are printed so a failure can be replayed."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from billing.runs.planning import start_invoice_run
from orm.db import connection
from orm.models import InvoiceRun
from tests.reliability.ledger import BILLING_DATE, Ledger, build_ledger
from tests.support.factories import make_tenant
from tests.support.worker_process import WorkerProcess, wait_for_run, worker_billing

# One seed for every fault schedule; ISPBOX_CHAOS_SEED replays another one.
DEFAULT_SEED = 20261120


def chaos_seed() -> int:
    return int(os.environ.get("ISPBOX_CHAOS_SEED", DEFAULT_SEED))


@dataclass
class FaultLog:
    """The faults (or race trials) a test made, each printed as it happens with the seed that
    chose its moment."""

    name: str
    unit: str = "faults injected"
    seed: int = field(default_factory=chaos_seed)
    faults: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def record(self, description: str) -> None:
        self.faults.append(description)
        print(f"[{self.name} seed={self.seed}] {len(self.faults)}: {description}")

    def summary(self) -> str:
        return f"{self.name}: {len(self.faults)} {self.unit} (seed {self.seed})"


async def queued_run(clients: int) -> tuple[Ledger, InvoiceRun]:
    """A tenant with `clients` clients of mixed billing data and its run, queued."""
    tenant = await make_tenant()
    ledger = await build_ledger(tenant, clients)
    run = await start_invoice_run(
        tenant, user_id=None, billing_date=BILLING_DATE, client_id=None, review=False
    )
    return ledger, run


async def others_in_transaction(database: str) -> int:
    """How many other sessions (the workers') have a transaction open on the database now."""
    rows = await connection().execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 "
        "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL",
        [database],
    )
    return int(rows[0]["n"])


async def wait_for_work_under_way(database: str, run_id: int, timeout: float) -> bool:
    """Wait until a worker has a transaction open on the database (True) or the run has ended
    (False)."""
    async with asyncio.timeout(timeout):
        while True:
            if await others_in_transaction(database):
                return True
            if (await InvoiceRun.get(id=run_id)).finished_at is not None:
                return False
            await asyncio.sleep(0.005)


@dataclass(frozen=True, slots=True)
class Strike:
    """What one fault did to the worker: a description, and whether a transaction was open."""

    description: str
    mid_transaction: bool = False


async def bill_under_strikes(
    db: str,
    log_path: Path,
    run_id: int,
    faults: FaultLog,
    *,
    broker_url: str,
    chunk_size: int,
    strikes: int,
    max_delay: float,
    strike: Callable[[WorkerProcess], Awaitable[Strike | None]],
    finish_within: float,
) -> tuple[InvoiceRun, int]:
    """Bill the queued run with one worker process, striking it at seeded moments while it is
    at work until `strikes` have landed or the run has ended (`strike` answers None when it hit
    nothing). Returns the finished run and how many strikes landed inside a transaction."""
    database = db.rsplit("/", 1)[1]
    mid_transaction = 0
    with worker_billing(broker_url, db, log_path, run_id, run_chunk_size=str(chunk_size)) as worker:
        while len(faults.faults) < strikes:
            if not await wait_for_work_under_way(database, run_id, timeout=120):
                break
            await asyncio.sleep(faults.random.uniform(0.0, max_delay))
            landed = await strike(worker)
            at = await wait_for_run(run_id, lambda r: True, timeout=10)
            if at.finished_at is not None:
                break
            if landed is not None:
                mid_transaction += landed.mid_transaction
                faults.record(
                    f"{landed.description}, with {at.chunks_done}/{at.chunks_total} chunks done"
                )
        run = await wait_for_run(run_id, lambda r: r.finished_at is not None, finish_within)
    return run, mid_transaction
