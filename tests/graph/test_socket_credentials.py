"""A websocket's token is checked again before each operation: once the user is deactivated or
the token changed, the next operation is refused and the socket closed with 4401."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from billing.runs.lifecycle import RunStatus
from graph.app import create_app
from orm.models import User
from tests.graph.conftest import Team, make_settings
from tests.graph.ws import init, messages_until_done, receive, serve, subscribe, ws_connect
from tests.support.builders import make_run

PROGRESS = "subscription($id: ID!) { invoiceRunProgress(runId: $id) { id status } }"
REVOCATIONS = {
    "deactivated": {"active": False},
    "token-changed": {"token_hash": "0" * 64},
}


async def served(db: str, recheck_seconds: float) -> AsyncIterator[str]:
    settings = make_settings(db, token_recheck_seconds=recheck_seconds)
    app = create_app(settings, manage_database=False)
    async with serve(app) as url:
        yield url


@pytest_asyncio.fixture
async def ws_url(db: str) -> AsyncIterator[str]:
    """Every operation checks the token (no caching)."""
    async for url in served(db, 0):
        yield url


@pytest_asyncio.fixture
async def watching_ws_url(db: str) -> AsyncIterator[str]:
    """Checks at most every 50 ms, also while a subscription runs."""
    async for url in served(db, 0.05):
        yield url


async def closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        while True:
            await receive(ws)
    return ws.close_code


@pytest.mark.asyncio
@pytest.mark.parametrize("revocation", sorted(REVOCATIONS))
async def test_the_next_operation_of_a_revoked_user_closes_the_socket(
    ws_url: str, acme: Team, revocation: str
) -> None:
    run = await make_run(acme.tenant, status=RunStatus.AWAITING_REVIEW, review=True)
    async with ws_connect(ws_url, headers=acme.editor.headers) as ws:
        assert (await init(ws))["type"] == "connection_ack"
        await subscribe(ws, PROGRESS, {"id": str(run.id)}, op_id="1")
        served_before = await messages_until_done(ws, "1")
        await User.filter(id=acme.editor.user.id).update(**REVOCATIONS[revocation])
        await subscribe(ws, PROGRESS, {"id": str(run.id)}, op_id="2")
        code = await closed_with(ws)
    assert [m["type"] for m in served_before] == ["next", "complete"]
    assert (code, ws.close_reason) == (4401, "The API token was revoked.")


@pytest.mark.asyncio
async def test_an_open_subscription_of_a_revoked_user_is_closed(
    watching_ws_url: str, acme: Team
) -> None:
    run = await make_run(acme.tenant, status=RunStatus.RUNNING)
    async with ws_connect(watching_ws_url, headers=acme.viewer.headers) as ws:
        await init(ws)
        await subscribe(ws, PROGRESS, {"id": str(run.id)})
        first = await receive(ws)
        await User.filter(id=acme.viewer.user.id).update(active=False)
        code = await closed_with(ws)
    assert first["payload"]["data"]["invoiceRunProgress"]["status"] == "RUNNING"
    assert code == 4401


@pytest.mark.asyncio
async def test_a_user_still_active_keeps_the_socket(ws_url: str, acme: Team) -> None:
    run = await make_run(acme.tenant, status=RunStatus.AWAITING_REVIEW, review=True)
    async with ws_connect(ws_url, headers=acme.viewer.headers) as ws:
        await init(ws)
        for op_id in ("1", "2", "3"):
            await subscribe(ws, PROGRESS, {"id": str(run.id)}, op_id=op_id)
            messages = await messages_until_done(ws, op_id)
            assert [m["type"] for m in messages] == ["next", "complete"]
