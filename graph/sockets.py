"""Websockets whose credentials are checked again: a user deactivated, or whose token changed,
after the socket was opened can start no further operation, and the socket is closed with 4401.

The check reads the user's row at most once per `token_recheck_seconds` per socket; while
operations run, the socket also checks by itself at that pace, so a revoked user's open
subscription ends too.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from graph.auth import Viewer
from orm.models import User

REVOKED_CLOSE_CODE = 4401
REVOKED_REASON = "The API token was revoked."
DEFAULT_RECHECK_SECONDS = 3.0


async def credentials_hold(viewer: Viewer) -> bool:
    """Whether the viewer's user is still active and still has the token it signed in with."""
    user = viewer.user
    return await User.filter(id=user.id, active=True, token_hash=user.token_hash).exists()


class CredentialCheck:
    """One socket's view of its credentials: valid until a check, at most every `seconds`,
    says otherwise."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._checked_at: float | None = None
        self._revoked = False

    async def revoked(self, viewer: Viewer | None) -> bool:
        if viewer is None or self._revoked:
            return self._revoked
        now = time.monotonic()
        if self._checked_at is None or now - self._checked_at >= self.seconds:
            self._revoked = not await credentials_hold(viewer)
            self._checked_at = now
        return self._revoked


def _recheck_seconds(view: Any) -> float:
    settings = getattr(view, "settings", None)
    return getattr(settings, "token_recheck_seconds", DEFAULT_RECHECK_SECONDS)


class _Checked:
    """What both protocols' handlers share: the check, the close, and the watch while
    operations run."""

    view: Any
    websocket: Any
    context: Any
    _check: CredentialCheck
    _watch: asyncio.Task[None] | None

    def _start_checking(self) -> None:
        self._check = CredentialCheck(_recheck_seconds(self.view))
        self._watch = None

    async def _refused(self) -> bool:
        """True (and the socket closed) where the socket's credentials no longer hold."""
        if await self._check.revoked(getattr(self.context, "viewer", None)):
            await self.websocket.close(code=REVOKED_CLOSE_CODE, reason=REVOKED_REASON)
            return True
        return False

    def _watch_while_open(self) -> None:
        if self._watch is None:
            self._watch = asyncio.create_task(self._watching())

    def _has_operations(self) -> bool:
        raise NotImplementedError

    async def _watching(self) -> None:
        while self._has_operations():
            await asyncio.sleep(self._check.seconds)
            if await self._refused():
                break
        self._watch = None

    async def _stop_watching(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watch


class CheckedTransportWSHandler(_Checked, BaseGraphQLTransportWSHandler):
    """graphql-transport-ws, with the credentials checked before every operation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._start_checking()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and await self._refused():
            return
        await super().handle_subscribe(message)
        if self.connection_acknowledged:
            self._watch_while_open()

    def _has_operations(self) -> bool:
        return bool(self.operations)

    async def shutdown(self) -> None:
        await self._stop_watching()
        await super().shutdown()


class CheckedWSHandler(_Checked, BaseGraphQLWSHandler):
    """The older graphql-ws protocol, with the same check before every operation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._start_checking()

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged and await self._refused():
            return
        await super().handle_start(message)
        if self.connection_acknowledged:
            self._watch_while_open()

    def _has_operations(self) -> bool:
        return bool(self.tasks)

    async def cleanup(self) -> None:
        await self._stop_watching()
        await super().cleanup()
