"""Request limits in front of the application: a cap on the request body, and rate limits per
API token, per client address, and (much lower) on refused credentials per client address.

Counters live in the `limits` library's storage: this process's memory by default, Redis where
the broker is Redis (so that every API process counts together) or where configured.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ispbox.config import Settings

log = logging.getLogger(__name__)

RATE_LIMITED = "RATE_LIMITED"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
# Where a websocket closes for refused credentials (graphql-transport-ws and the product's own).
REFUSED_CLOSE_CODES = {4401, 4403}
PREVIEW_PATH = "/invoices/"
UNLIMITED_PATHS = {"/health"}


def storage_uri(settings: Settings) -> str:
    """The counters' storage: the configured one, else the broker's Redis, else memory."""
    if settings.rate_limit_storage:
        return settings.rate_limit_storage
    if settings.broker_url.startswith(("redis://", "rediss://")):
        return f"async+{settings.broker_url}"
    return "async+memory://"


def _open_storage(uri: str) -> Storage:
    options = {"implementation": "redispy"} if "redis" in uri.split("://")[0] else {}
    storage = storage_from_string(uri, **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"rate limit storage {uri!r} is not an async+ storage")
    return storage


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_token: list[RateLimitItem]
    per_address: list[RateLimitItem]
    failed_auth: list[RateLimitItem]

    @classmethod
    def of(cls, settings: Settings) -> RateLimits:
        return cls(
            per_token=parse_many(settings.rate_limit_per_token),
            per_address=parse_many(settings.rate_limit_per_address),
            failed_auth=parse_many(settings.rate_limit_failed_auth),
        )


def _token_key(authorization: str | None) -> str | None:
    if not authorization:
        return None
    return hashlib.sha256(authorization.strip().encode("utf-8", "replace")).hexdigest()[:32]


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _refused(
    message: str, code: str, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A refusal in the shape of the API's other top-level errors."""
    error = {"message": message, "extensions": {"code": code}}
    return JSONResponse(
        {"message": message, "errors": [error]}, status_code=status, headers=headers
    )


def too_many_requests(retry_after: int) -> JSONResponse:
    message = f"Too many requests: try again in {retry_after} s."
    return _refused(message, RATE_LIMITED, 429, {"Retry-After": str(retry_after)})


def too_large(limit: int) -> JSONResponse:
    message = f"The request body is larger than the limit of {limit:,} bytes."
    return _refused(message, REQUEST_TOO_LARGE, 413)


class RequestLimits:
    """ASGI middleware applying the body cap and the rate limits."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_body = settings.max_request_bytes
        self.limits = RateLimits.of(settings)
        self.limiter = MovingWindowRateLimiter(_open_storage(storage_uri(settings)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        address = _address(scope)
        token = _token_key(Headers(scope=scope).get("authorization"))
        retry_after = await self._refusal(address, token)
        if retry_after is not None:
            await self._refuse(scope, receive, send, too_many_requests(retry_after))
            return
        if scope["type"] == "http":
            body = await self._bounded_body(scope, receive)
            if body is None:
                await too_large(self.max_body)(scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, self._watching(scope, address, send))

    async def _refusal(self, address: str, token: str | None) -> int | None:
        """Seconds until the caller may try again, or None where the request may go on."""
        try:
            if not await self._within(self.limits.failed_auth, "failed-auth", address, hit=False):
                return await self._retry_after(self.limits.failed_auth, "failed-auth", address)
            checks = [(self.limits.per_address, "address", address)]
            if token is not None:
                checks.append((self.limits.per_token, "token", token))
            for items, namespace, key in checks:
                if not await self._within(items, namespace, key, hit=True):
                    return await self._retry_after(items, namespace, key)
        except Exception as error:  # a lost counter store must not take the API down with it
            log.warning("rate limits not applied: %s", error)
        return None

    async def _within(self, items: list[RateLimitItem], *keys: str, hit: bool) -> bool:
        check = self.limiter.hit if hit else self.limiter.test
        for item in items:
            if not await check(item, *keys):
                return False
        return True

    async def _retry_after(self, items: list[RateLimitItem], *keys: str) -> int:
        waits = []
        for item in items:
            stats = await self.limiter.get_window_stats(item, *keys)
            if stats.remaining <= 0:
                waits.append(stats.reset_time - time.time())
        return max(1, math.ceil(max(waits, default=1)))

    async def _failed_authentication(self, address: str) -> None:
        try:
            for item in self.limits.failed_auth:
                await self.limiter.hit(item, "failed-auth", address)
        except Exception as error:  # as above: counting is best effort
            log.warning("failed authentication not counted: %s", error)

    def _watching(self, scope: Scope, address: str, send: Send) -> Send:
        """`send`, counting a refusal of the caller's credentials against its address."""
        is_preview = scope["path"].startswith(PREVIEW_PATH)

        async def watching_send(message: Message) -> None:
            if _refuses_credentials(message, is_preview):
                await self._failed_authentication(address)
            await send(message)

        return watching_send

    async def _bounded_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole request body, or None where it is larger than the cap."""
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, response: JSONResponse
    ) -> None:
        if scope["type"] == "http":
            await response(scope, receive, send)
        else:  # closing before accepting answers the handshake with 403
            await send({"type": "websocket.close", "code": 1008, "reason": "rate limited"})


def _refuses_credentials(message: Message, is_preview: bool) -> bool:
    if message["type"] == "http.response.start":
        status = message["status"]
        return status == 401 or (is_preview and status in (403, 404))
    if message["type"] == "websocket.close":
        return message.get("code") in REFUSED_CLOSE_CODES
    return False


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands out the body read already, then waits for the client as before."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
