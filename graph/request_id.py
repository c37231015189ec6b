"""Every HTTP request and websocket gets an id: the caller's `X-Request-ID` where it is sane,
else a new one. It is sent back in the `X-Request-ID` header and carried by the logs and the
masked errors of the request, so a report from a user can be matched with the server's log."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
# Ids from callers end up in log lines: a bounded set of characters, no spaces or line breaks.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, None outside one."""
    return _current.get()


def request_id_for(given: str | None) -> str:
    """The caller's id where it is sane, else a new one."""
    if given is not None and SANE_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request's work and adds it to the response headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(HEADER.lower().encode())
        request_id = request_id_for(given.decode("latin-1") if given is not None else None)
        token = _current.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
