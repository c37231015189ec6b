"""The API process as `ispbox serve` runs it: the GraphQL application, the broker it queues jobs
on and, on the embedded broker, the workers and the scheduler it runs itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import dramatiq
from starlette.applications import Starlette

from graph.app import Background, create_app
from graph.jobs import Jobs
from ispbox.config import Settings, get_settings
from workers.process import sending_broker, start_actors


def served_app(settings: Settings | None = None) -> Starlette:
    """The application of one API process (uvicorn's factory: each process builds its own)."""
    settings = settings or get_settings()
    settings.check_ready_to_start()
    broker = sending_broker(settings)
    return create_app(
        settings, jobs=Jobs(broker, settings.queue_prefix), background=beside_api(settings, broker)
    )


def beside_api(settings: Settings, broker: dramatiq.Broker) -> Background:
    """What the process runs while it serves: the workers on the embedded broker; with an
    outside broker only the connection the jobs are sent on, closed at the end."""
    if settings.embedded_broker:
        # Declared only where this process runs them, before the worker machinery is loaded.
        start_actors(settings)
        from workers.embedded import embedded_workers

        return lambda: embedded_workers(settings)

    @asynccontextmanager
    async def sending_connection() -> AsyncIterator[None]:
        try:
            yield
        finally:
            broker.close()

    return sending_connection
