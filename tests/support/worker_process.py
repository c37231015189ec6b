"""Dramatiq worker processes for tests, started with `ispbox worker`'s own command line, and a
way to enqueue to them over the real broker from the test."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker

from orm.models import InvoiceRun

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """`ispbox worker` (Dramatiq's worker processes) in its own process group, so a kill takes
    it all."""

    def __init__(
        self, broker_url: str, database_url: str, log_path: Path, queue_prefix: str, **settings: str
    ) -> None:
        self.env = {
            **os.environ,
            "ISPBOX_BROKER_URL": broker_url,
            "ISPBOX_DATABASE_URL": database_url,
            "ISPBOX_BROKER_HEARTBEAT_MS": "2000",
            "ISPBOX_BROKER_MAINTENANCE_CHANCE": "200000",
            "ISPBOX_QUEUE_PREFIX": queue_prefix,
            **{f"ISPBOX_{key.upper()}": value for key, value in settings.items()},
        }
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ispbox.cli",
                    "worker",
                    "--processes",
                    "1",
                    "--threads",
                    "2",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL, as when a machine dies: no shutdown, no acknowledgement."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class BrokerSession:
    """The real broker seen from the test process (whose own broker is the in-memory one), with
    queue names of its own so that test runs sharing the machine's broker never meet."""

    url: str
    prefix: str
    broker: dramatiq.Broker

    def queue(self, name: str) -> str:
        return f"{self.prefix}{name}"


QUEUES = ("runs", "chunks", "email", "charges", "collections")


@contextmanager
def broker_session(url: str) -> Iterator[BrokerSession]:
    prefix = f"test{uuid.uuid4().hex[:10]}."
    broker: dramatiq.Broker = (
        RedisBroker(url=url) if url.startswith("redis://") else RabbitmqBroker(url=url)
    )
    session = BrokerSession(url, prefix, broker)
    try:
        yield session
    finally:
        _forget_queues(session)
        broker.close()


def _forget_queues(session: BrokerSession) -> None:
    broker = session.broker
    if isinstance(broker, RedisBroker):
        keys = list(broker.client.scan_iter(f"{broker.namespace}:{session.prefix}*"))
        if keys:
            broker.client.delete(*keys)
        return
    channel = broker.channel  # type: ignore[attr-defined]
    for name in QUEUES:
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(session.queue(name) + suffix)


@contextmanager
def worker_process(
    session: BrokerSession, database_url: str, log_path: Path, **settings: str
) -> Iterator[WorkerProcess]:
    """A started worker; `settings` are ISPBOX_* settings by their lower-case names."""
    worker = WorkerProcess(session.url, database_url, log_path, session.prefix, **settings)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def enqueue_run(session: BrokerSession, run_id: int) -> None:
    enqueue(session, "runs", "start_invoice_run_job", run_id)


def enqueue(session: BrokerSession, queue: str, actor_name: str, *args: int) -> None:
    """A message to an actor of the worker, on the session's own queue."""
    queue_name = session.queue(queue)
    session.broker.declare_queue(queue_name)
    session.broker.enqueue(
        dramatiq.Message(
            queue_name=queue_name, actor_name=actor_name, args=args, kwargs={}, options={}
        )
    )


@contextmanager
def worker_billing(
    broker_url: str, database_url: str, log_path: Path, run_id: int, **settings: str
) -> Iterator[WorkerProcess]:
    """A started worker on queues of its own on the broker, with the run enqueued to it."""
    with (
        broker_session(broker_url) as session,
        worker_process(session, database_url, log_path, **settings) as worker,
    ):
        enqueue_run(session, run_id)
        yield worker


async def wait_for_run(
    run_id: int, predicate: Callable[[InvoiceRun], bool], timeout: float, every: float = 0.05
) -> InvoiceRun:
    """The run once `predicate` holds for it, read again every `every` seconds."""
    async with asyncio.timeout(timeout):
        while True:
            run = await InvoiceRun.get(id=run_id)
            if predicate(run):
                return run
            await asyncio.sleep(every)
