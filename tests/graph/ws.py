"""A real server on the test's loop, and a graphql-transport-ws client for subscriptions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from tests.support.services import free_port

PROTOCOL = "graphql-transport-ws"
RECEIVE_TIMEOUT = 10.0


@asynccontextmanager
async def serve(app: Starlette, *, lifespan: str = "off") -> AsyncIterator[str]:
    """Serve the app with uvicorn on this loop; yields the websocket URL of /graphql."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan=lifespan, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def ws_connect(url: str, *, headers: dict[str, str] | None = None):
    async with connect(url, subprotocols=[PROTOCOL], additional_headers=headers or {}) as ws:
        yield ws


async def receive(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT))


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def init(ws: ClientConnection, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send connection_init; the server's answer (connection_ack where accepted)."""
    await send(ws, {"type": "connection_init", "payload": payload or {}})
    return await receive(ws)


async def subscribe(
    ws: ClientConnection, query: str, variables: dict[str, Any] | None = None, op_id: str = "1"
) -> None:
    await send(
        ws,
        {
            "id": op_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables or {}},
        },
    )


async def messages_until_done(ws: ClientConnection, op_id: str = "1") -> list[dict[str, Any]]:
    """Every message of the operation up to and including its complete or error."""
    messages = []
    while True:
        message = await receive(ws)
        if message.get("id") != op_id:
            continue
        messages.append(message)
        if message["type"] in ("complete", "error"):
            return messages
