"""The product's embedded workers running in the test process, for tests of what they do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import dramatiq
import pytest_asyncio

from ispbox.config import get_settings
from workers.embedded import start_embedded_workers, stop_embedded_workers


@pytest_asyncio.fixture
async def embedded_workers(db: str) -> AsyncIterator[None]:
    """The embedded workers (no scheduler) on the test's database, started on an empty queue."""
    dramatiq.get_broker().flush_all()  # messages other tests queued with no worker running
    await start_embedded_workers(get_settings(), scheduler=False)
    try:
        yield
    finally:
        await stop_embedded_workers()
