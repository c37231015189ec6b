"""Wake-ups from PostgreSQL notifications: while anyone waits on a channel, one connection of
this process listens on it and sets the waiters' events for the keys it is sent.

A notification sent inside a transaction is delivered at its commit, so a woken waiter reads
committed data. On SQLite, or where listening fails, waiters are simply never woken: they must
also look from time to time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from orm.db import opened_url

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Wakeup:
    """Set when a notification names the key; `listening` says whether one can come at all."""

    event: asyncio.Event
    listening: bool


class Channel:
    """Waiters on one PostgreSQL notification channel, by key (the notification's payload)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    @asynccontextmanager
    async def waiting(self, key: str) -> AsyncIterator[Wakeup]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a connection and a lock serve one event loop only
            self._loop, self._lock, self._connection = loop, asyncio.Lock(), None
            self._waiters = {}
        event = asyncio.Event()
        self._waiters.setdefault(key, set()).add(event)
        try:
            yield Wakeup(event, await self._listen())
        finally:
            waiters = self._waiters.get(key, set())
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(key, None)
            if not self._waiters:
                await self._stop()

    async def _listen(self) -> bool:
        url = opened_url()
        if url is None or not url.startswith(("postgres://", "postgresql://")):
            return False
        async with self._lock:
            if self._connection is None or self._connection.is_closed():
                try:
                    self._connection = await asyncpg.connect(url)
                    await self._connection.add_listener(self.name, self._notified)
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("not listening on %s (%s)", self.name, exc)
                    self._connection = None
                    return False
            return True

    async def _stop(self) -> None:
        async with self._lock:
            if self._connection is not None and not self._waiters:
                connection, self._connection = self._connection, None
                await connection.close()

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        for event in self._waiters.get(payload, ()):
            event.set()
