"""Crash safety: a run whose worker loses its broker connections again and again mid-run (the
server closes them: Redis `CLIENT KILL`, RabbitMQ `close_connection`) still completes and bills
everything exactly once. Only the worker's own connections are closed on the shared servers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.broker_cuts import (
    RABBITMQ_PORT,
    REDIS_PORT,
    cut_rabbitmq_connections,
    cut_redis_connections,
)
from tests.reliability.ledger import assert_billed_exactly_once
from tests.reliability.run_driver import (
    FaultLog,
    queued_run,
    wait_for_run,
    wait_for_work_under_way,
)
from tests.support.services import RABBITMQ_URL, REDIS_URL, require_service
from tests.support.worker_process import broker_session, enqueue_run, worker_process

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

CLIENTS = 4_000
# Cut within a few chunks' time of the worker being at work: a whole run takes a second or two.
MAX_DELAY_SECONDS = 0.15


@dataclass(frozen=True, slots=True)
class Broker:
    url: str
    port: int
    cut: Callable[[int], int]
    # On RabbitMQ a worker bills a chunk of 100 faster than `rabbitmqctl` starts, and each cut
    # costs seconds of reconnecting: smaller chunks, fewer cuts.
    chunk_size: int
    cuts: int
    # The cuts that must land before the run ends (a fast worker may finish before the last).
    min_cuts: int


BROKERS = {
    "redis": Broker(
        REDIS_URL, REDIS_PORT, lambda g: cut_redis_connections(REDIS_URL, g), 100, 5, 4
    ),
    "rabbitmq": Broker(RABBITMQ_URL, RABBITMQ_PORT, cut_rabbitmq_connections, 10, 3, 2),
}


@pytest.mark.parametrize("name", sorted(BROKERS))
async def test_a_run_whose_broker_connections_are_cut_again_and_again_bills_everything_once(
    db: str, tmp_path: Path, name: str
) -> None:
    broker = BROKERS[name]
    require_service(name, "127.0.0.1", broker.port)
    database = db.rsplit("/", 1)[1]
    ledger, run = await queued_run(CLIENTS)
    faults = FaultLog(f"{name} connections cut")

    with (
        broker_session(broker.url) as session,
        worker_process(
            session, db, tmp_path / "worker.log", run_chunk_size=str(broker.chunk_size)
        ) as worker,
    ):
        enqueue_run(session, run.id)
        while len(faults.faults) < broker.cuts:
            if not await wait_for_work_under_way(database, run.id, timeout=120):
                break
            await asyncio.sleep(faults.random.uniform(0.0, MAX_DELAY_SECONDS))
            assert worker.process is not None
            closed = await asyncio.to_thread(broker.cut, worker.process.pid)
            at = await wait_for_run(run.id, lambda r: True, timeout=10)
            if at.finished_at is not None:
                break
            if closed:  # none while the worker is reconnecting: try again later
                faults.record(
                    f"{closed} connections closed with {at.chunks_done}/{at.chunks_total} "
                    "chunks done"
                )
        run = await wait_for_run(run.id, lambda r: r.finished_at is not None, timeout=180)

    print(faults.summary())
    assert len(faults.faults) >= broker.min_cuts, "the run ended before enough cuts had landed"
    await assert_billed_exactly_once(ledger, run.id)
