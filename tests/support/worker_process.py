"""Dramatiq worker processes for tests, started with `ispbox worker`'s own command line, and a
way to enqueue to them over the real broker from the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """`python -m dramatiq workers.actors` in its own process group, so a kill takes it all."""

    def __init__(self, broker_url: str, database_url: str, log_path: Path, **settings: str) -> None:
        self.env = {
            **os.environ,
            "ISPBOX_BROKER_URL": broker_url,
            "ISPBOX_DATABASE_URL": database_url,
            "ISPBOX_BROKER_HEARTBEAT_MS": "2000",
            "ISPBOX_BROKER_MAINTENANCE_CHANCE": "200000",
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
                    "dramatiq",
                    "workers.actors",
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


@contextmanager
def worker_process(broker_url: str, database_url: str, log_path: Path) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(broker_url, database_url, log_path)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def client_broker(broker_url: str) -> dramatiq.Broker:
    """A broker to enqueue on from the test process, whose own broker is the in-memory one."""
    if broker_url.startswith("redis://"):
        broker: dramatiq.Broker = RedisBroker(url=broker_url)
        broker.client.flushdb()
        return broker
    broker = RabbitmqBroker(url=broker_url)
    for queue in ("runs", "chunks", "email", "charges"):
        broker.declare_queue(queue)
    broker.flush_all()
    return broker


def enqueue_run(broker: dramatiq.Broker, run_id: int) -> None:
    broker.declare_queue("runs")
    broker.enqueue(
        dramatiq.Message(
            queue_name="runs",
            actor_name="start_invoice_run_job",
            args=(run_id,),
            kwargs={},
            options={},
        )
    )
