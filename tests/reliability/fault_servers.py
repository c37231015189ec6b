"""Misbehaving servers on loopback for the external-fault tests, each started on the test's loop.

- `SmtpFront`: in front of a real SMTP server, each connection gets the next behaviour from a
  schedule: stall without a greeting, greet and then stall, refuse with a reply code, drop the
  connection, or pass through. Every fault happens before a message is handed over.
- `StripeFront`: in front of localstripe, each request gets the next behaviour: a 500 (Stripe's
  JSON error), a 502 from a proxy (HTML), a stall, a lost answer (forwarded, answered by
  localstripe, answer never returned), or pass through. Like Stripe itself (and unlike
  localstripe), it answers a request whose Idempotency-Key it has seen with the first answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

HOST = "127.0.0.1"
Behaviour = str
Schedule = Callable[[], Behaviour]

SMTP_STALL = "stall"
SMTP_GREET_AND_STALL = "greet and stall"
SMTP_REFUSE_421 = "refuse 421"
SMTP_REFUSE_554 = "refuse 554"
SMTP_DROP = "drop"
PASS = "pass"

STRIPE_500 = "500"
STRIPE_502_HTML = "502 html"
STRIPE_STALL = "stall"
STRIPE_LOSE_ANSWER = "lose answer"

STRIPE_ERROR_500 = (
    b'{"error": {"type": "api_error", "message": "An unknown error occurred on Stripe\'s end."}}'
)


async def _hold(reader: asyncio.StreamReader) -> None:
    """Keep the connection open, saying nothing, until the client gives up."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(4096):
            pass


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, OSError):
        writer.close()


@dataclass
class FrontServer:
    """Counts what it did: each behaviour served, and (for Stripe) the requests seen."""

    schedule: Schedule
    served: Counter[Behaviour] = field(default_factory=Counter)
    port: int = 0

    def _next(self) -> Behaviour:
        behaviour = self.schedule()
        self.served[behaviour] += 1
        return behaviour

    @property
    def faults(self) -> int:
        return sum(count for behaviour, count in self.served.items() if behaviour != PASS)


@dataclass
class SmtpFront(FrontServer):
    upstream_port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        behaviour = self._next()
        try:
            if behaviour == SMTP_STALL:
                await _hold(reader)
            elif behaviour == SMTP_GREET_AND_STALL:
                writer.write(b"220 mail.test ESMTP\r\n")
                await writer.drain()
                await _hold(reader)
            elif behaviour in (SMTP_REFUSE_421, SMTP_REFUSE_554):
                code = behaviour.split()[1]
                writer.write(f"{code} mail.test service not available\r\n".encode())
                await writer.drain()
            elif behaviour == PASS:
                up_reader, up_writer = await asyncio.open_connection(HOST, self.upstream_port)
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            with contextlib.suppress(ConnectionError, OSError):
                writer.close()


@dataclass
class StripeFront(FrontServer):
    upstream: str = ""
    # Idempotency-Key → (status, content type, body) of the first answer localstripe gave.
    answers: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    # The Idempotency-Key of every POST that reached localstripe (or was answered from memory).
    forwarded_keys: list[str] = field(default_factory=list)
    requests: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.requests += 1
            behaviour = self._next()
            if behaviour == STRIPE_STALL:
                await _hold(reader)
                return
            if behaviour == STRIPE_500:
                await _respond(writer, 500, "application/json", STRIPE_ERROR_500)
                return
            if behaviour == STRIPE_502_HTML:
                await _respond(writer, 502, "text/html", b"<html>502 Bad Gateway</html>")
                return
            status, content_type, body = await self._forward(*request)
            if behaviour == STRIPE_LOSE_ANSWER:
                await _hold(reader)
                return
            await _respond(writer, status, content_type, body)
        finally:
            with contextlib.suppress(ConnectionError, OSError):
                writer.close()

    async def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        key = headers.get("idempotency-key")
        if method == "POST" and key:
            self.forwarded_keys.append(key)
            if key in self.answers:
                return self.answers[key]
        passed = {
            name: value
            for name, value in headers.items()
            if name in ("authorization", "content-type", "stripe-version", "idempotency-key")
        }
        async with httpx.AsyncClient(base_url=self.upstream, timeout=30) as client:
            response = await client.request(method, path, headers=passed, content=body)
        answer = (
            response.status_code,
            response.headers.get("content-type", "application/json"),
            response.content,
        )
        if method == "POST" and key:
            self.answers[key] = answer
        return answer


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return method, path, headers, body


async def _respond(
    writer: asyncio.StreamWriter, status: int, content_type: str, body: bytes
) -> None:
    writer.write(
        f"HTTP/1.1 {status} Fault\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()


@asynccontextmanager
async def serving(front: SmtpFront | StripeFront) -> AsyncIterator[None]:
    """Listen on a free loopback port (set on `front.port`) while the block runs."""
    server = await asyncio.start_server(front.handle, HOST, 0)
    front.port = server.sockets[0].getsockname()[1]
    try:
        yield
    finally:
        server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 5)
