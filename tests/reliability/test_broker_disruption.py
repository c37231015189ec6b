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
from tests.reliability.run_driver import FaultLog, Strike, bill_under_strikes, queued_run
from tests.support.services import RABBITMQ_URL, REDIS_URL, require_service
from tests.support.worker_process import WorkerProcess

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
    ledger, run = await queued_run(CLIENTS)
    faults = FaultLog(f"{name} connections cut")

    async def cut(worker: WorkerProcess) -> Strike | None:
        assert worker.process is not None
        closed = await asyncio.to_thread(broker.cut, worker.process.pid)
        # None while the worker is reconnecting: try again later.
        return Strike(f"{closed} connections closed") if closed else None

    run, _ = await bill_under_strikes(
        db,
        tmp_path / "worker.log",
        run.id,
        faults,
        broker_url=broker.url,
        chunk_size=broker.chunk_size,
        strikes=broker.cuts,
        max_delay=MAX_DELAY_SECONDS,
        strike=cut,
        finish_within=180,
    )

    print(faults.summary())
    assert len(faults.faults) >= broker.min_cuts, "the run ended before enough cuts had landed"
    await assert_billed_exactly_once(ledger, run.id)
