"""The Dramatiq broker chosen by the broker URL, and the event loop the async actors run on.
Building a broker opens no connection; `workers.process` makes it current where a process starts.

- `memory://` (embedded default): an in-process broker; the API process runs the workers on its
  own event loop, sharing its database connections.
- `redis://…` / `amqp://…`: worker processes (`ispbox worker`) run the actors on Dramatiq's
  event-loop thread, where this module opens the ORM at boot and closes it at shutdown.
"""

from __future__ import annotations

import asyncio
import logging

import dramatiq
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread, set_event_loop_thread
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from ispbox.config import Settings
from orm.db import close_database, open_database

log = logging.getLogger(__name__)


class DatabaseOnWorkerLoop(dramatiq.Middleware):
    """Open the ORM on the worker's event-loop thread (where the actors run), close it after."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        loop_thread.run_coroutine(open_database(self.database_url))  # type: ignore[union-attr]

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None and loop_thread.loop.is_running():
            loop_thread.run_coroutine(close_database())


class HostLoop(EventLoopThread):
    """Runs actors on an event loop that is already running (the API server's), not a new one."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.logger = log
        self.interrupt_check_ival = 0.1
        self.loop = loop

    def start(self, *, timeout: float | None = None) -> None:  # the host runs the loop
        return None

    def stop(self) -> None:
        return None


def build_broker(settings: Settings) -> dramatiq.Broker:
    """The broker of `settings.broker_url`; worker processes open the settings' database."""
    url = settings.broker_url
    if url.startswith("memory://"):
        return StubBroker()
    if url.startswith(("redis://", "rediss://")):
        broker: dramatiq.Broker = RedisBroker(
            url=url,
            heartbeat_timeout=settings.broker_heartbeat_ms,
            maintenance_chance=settings.broker_maintenance_chance,
        )
    elif url.startswith(("amqp://", "amqps://")):
        broker = RabbitmqBroker(url=url)
    else:
        raise ValueError(f"unsupported broker URL {url!r}: use memory://, redis:// or amqp://")
    broker.add_middleware(AsyncIO())
    broker.add_middleware(DatabaseOnWorkerLoop(settings.database_url))
    return broker


def use_host_loop(loop: asyncio.AbstractEventLoop) -> None:
    set_event_loop_thread(HostLoop(loop))
