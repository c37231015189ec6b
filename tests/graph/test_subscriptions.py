"""invoiceRunProgress over a websocket (graphql-transport-ws), served by uvicorn on this loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import dramatiq
import pytest
import pytest_asyncio
from dramatiq.brokers.stub import StubBroker
from starlette.applications import Starlette
from tortoise.expressions import F
from websockets.exceptions import ConnectionClosed

import graph.subscriptions
from billing.runs.lifecycle import RunStatus
from graph.app import create_app
from graph.errors import ClientError
from graph.subscriptions import ProgressHub
from ispbox.config import get_settings
from orm.models import Client, InvoiceRun
from tests.graph.conftest import Team, make_settings
from tests.graph.ws import init, messages_until_done, receive, serve, subscribe, ws_connect
from tests.support.builders import make_client, make_invoice, make_run, make_service
from workers.embedded import start_embedded_workers, stop_embedded_workers

PROGRESS = """subscription($id: ID!) { invoiceRunProgress(runId: $id) {
  id status clientsProcessed invoicesIssued client { id }
} }"""


@pytest_asyncio.fixture
async def ws_url(db: str) -> AsyncIterator[str]:
    app: Starlette = create_app(make_settings(db), manage_database=False)
    async with serve(app) as url:
        yield url


async def advance(run: InvoiceRun, **changes: object) -> None:
    await InvoiceRun.filter(id=run.id).update(progress_version=F("progress_version") + 1, **changes)


@pytest.mark.asyncio
async def test_events_follow_the_run_until_its_work_stops(ws_url: str, acme: Team) -> None:
    run = await make_run(acme.tenant, status=RunStatus.RUNNING, client=acme.client)
    async with ws_connect(ws_url, headers=acme.viewer.headers) as ws:
        assert (await init(ws))["type"] == "connection_ack"
        await subscribe(ws, PROGRESS, {"id": str(run.id)})
        first = await receive(ws)
        assert first["payload"]["data"]["invoiceRunProgress"] == {
            "id": str(run.id),
            "status": "RUNNING",
            "clientsProcessed": 0,
            "invoicesIssued": 0,
            "client": {"id": str(acme.client.id)},
        }
        await advance(run, clients_processed=1, invoices_issued=1)
        second = await receive(ws)
        assert second["payload"]["data"]["invoiceRunProgress"]["clientsProcessed"] == 1
        await advance(run, clients_processed=2, status=RunStatus.COMPLETED)
        rest = await messages_until_done(ws)
    assert [m["type"] for m in rest] == ["next", "complete"]
    last = rest[0]["payload"]["data"]["invoiceRunProgress"]
    assert (last["status"], last["clientsProcessed"]) == ("COMPLETED", 2)


@pytest.mark.asyncio
async def test_the_token_may_come_in_the_connection_init_payload(ws_url: str, acme: Team) -> None:
    run = await make_run(acme.tenant, status=RunStatus.AWAITING_REVIEW, review=True)
    async with ws_connect(ws_url) as ws:
        ack = await init(ws, {"Authorization": f"Bearer {acme.viewer.token}"})
        assert ack["type"] == "connection_ack"
        await subscribe(ws, PROGRESS, {"id": str(run.id)})
        messages = await messages_until_done(ws)
    assert [m["type"] for m in messages] == ["next", "complete"]
    assert messages[0]["payload"]["data"]["invoiceRunProgress"]["status"] == "AWAITING_REVIEW"


@pytest.mark.asyncio
@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer nope"}, {"Authorization": 7}])
async def test_a_connection_without_a_valid_token_is_refused(
    ws_url: str, acme: Team, payload: dict
) -> None:
    async with ws_connect(ws_url) as ws:
        await init_expecting_close(ws, payload)
        assert ws.close_code == 4403


async def init_expecting_close(ws, payload: dict) -> None:
    with pytest.raises(ConnectionClosed):
        await init(ws, payload)
        await receive(ws)


@pytest.mark.asyncio
@pytest.mark.parametrize("which", ["foreign", "missing", "malformed"])
async def test_a_run_not_of_the_tenant_is_not_found(
    ws_url: str, acme: Team, globex: Team, which: str
) -> None:
    foreign = await make_run(globex.tenant, status=RunStatus.RUNNING)
    run_id = {"foreign": str(foreign.id), "missing": "99999", "malformed": "x"}[which]
    async with ws_connect(ws_url, headers=acme.viewer.headers) as ws:
        await init(ws)
        await subscribe(ws, PROGRESS, {"id": run_id})
        messages = await messages_until_done(ws)
    errors = messages[0]["payload"]["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["NOT_FOUND"]
    assert messages[-1]["type"] == "complete"


@pytest.mark.asyncio
async def test_following_a_run_needs_billing_view(ws_url: str, acme: Team) -> None:
    run = await make_run(acme.tenant, status=RunStatus.RUNNING)
    async with ws_connect(ws_url, headers=acme.stranger.headers) as ws:
        await init(ws)
        await subscribe(ws, PROGRESS, {"id": str(run.id)})
        [message] = await messages_until_done(ws)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.asyncio
async def test_a_run_started_over_http_is_followed_to_its_end_by_the_embedded_workers(
    db: str, acme: Team
) -> None:
    settings = make_settings(db)
    if not isinstance(dramatiq.get_broker(), StubBroker):
        pytest.skip("needs the embedded broker")
    for key in ("a", "b", "c"):
        client = await make_client(acme.tenant, f"run-{key}")
        await make_service(client, next_bill_date=date(2026, 11, 1))
    dramatiq.get_broker().flush_all()  # messages other tests queued with no worker running
    app = create_app(settings, manage_database=False)
    await start_embedded_workers(get_settings(), scheduler=False)
    try:
        async with serve(app) as url, ws_connect(url, headers=acme.editor.headers) as ws:
            await init(ws)
            await subscribe(
                ws,
                """mutation { runBulk(input: {billingDate: "2026-11-20"}) {
                    run { id } errors { code } } }""",
                op_id="run",
            )
            started = (await messages_until_done(ws, "run"))[0]["payload"]["data"]["runBulk"]
            assert started["errors"] == []
            await subscribe(ws, PROGRESS, {"id": started["run"]["id"]})
            events = await messages_until_done(ws)
    finally:
        await stop_embedded_workers()
    assert events[-1]["type"] == "complete"
    last = events[-2]["payload"]["data"]["invoiceRunProgress"]
    assert (last["status"], last["invoicesIssued"]) == ("COMPLETED", 3)


@pytest.mark.asyncio
async def test_each_operation_on_a_websocket_reads_current_data(ws_url: str, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    query = """query($id: ID!) { invoice(id: $id) { client { name } } }"""
    async with ws_connect(ws_url, headers=acme.viewer.headers) as ws:
        await init(ws)
        names = []
        for op_id, new_name in (("a", "Renamed Client"), ("b", None)):
            await subscribe(ws, query, {"id": str(invoice.id)}, op_id=op_id)
            [result, _] = await messages_until_done(ws, op_id)
            names.append(result["payload"]["data"]["invoice"]["client"]["name"])
            if new_name:
                await Client.filter(id=acme.client.id).update(name=new_name)
    assert names == ["Acme Client", "Renamed Client"]


SUBSCRIBERS = 30


@pytest.mark.asyncio
@pytest.mark.postgres_only
async def test_many_subscribers_of_a_run_cost_one_read_per_change(
    db: str, acme: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only notifications wake the watcher here, so every read is one a change caused.
    monkeypatch.setattr(graph.subscriptions, "NOTIFIED_POLL_SECONDS", 60.0)
    reads = 0
    read_progress = graph.subscriptions.read_progress

    async def counted(run_id: int) -> InvoiceRun | None:
        nonlocal reads
        reads += 1
        return await read_progress(run_id)

    monkeypatch.setattr(graph.subscriptions, "read_progress", counted)
    run = await make_run(acme.tenant, status=RunStatus.RUNNING)
    settings = make_settings(db, max_subscriptions_per_user=SUBSCRIBERS)
    app = create_app(settings, manage_database=False)
    async with serve(app) as url, ws_connect(url, headers=acme.viewer.headers) as ws:
        await init(ws)
        ids = [str(n) for n in range(SUBSCRIBERS)]
        for op_id in ids:
            await subscribe(ws, PROGRESS, {"id": str(run.id)}, op_id=op_id)
        assert await events_of_each(ws, ids) == {0}
        for processed in (1, 2):
            await advance(run, clients_processed=processed)
            assert await events_of_each(ws, ids) == {processed}
        await advance(run, clients_processed=3, status=RunStatus.COMPLETED)
        assert await events_of_each(ws, ids) == {3}
    # The first look, then one read per change, whatever the number of subscribers.
    assert reads == 1 + 3


async def events_of_each(ws, ids: list[str]) -> set[int]:
    """The clientsProcessed of the next event of every operation."""
    seen: dict[str, int] = {}
    while len(seen) < len(ids):
        message = await receive(ws)
        if message["type"] == "next":
            seen[message["id"]] = message["payload"]["data"]["invoiceRunProgress"][
                "clientsProcessed"
            ]
    return set(seen.values())


@pytest.mark.asyncio
async def test_a_user_past_the_subscription_limit_is_refused_across_sockets(
    db: str, acme: Team
) -> None:
    run = await make_run(acme.tenant, status=RunStatus.RUNNING)
    settings = make_settings(db, max_subscriptions_per_user=2)
    app = create_app(settings, manage_database=False)
    async with (
        serve(app) as url,
        ws_connect(url, headers=acme.viewer.headers) as first,
        ws_connect(url, headers=acme.viewer.headers) as second,
    ):
        await init(first)
        await init(second)
        for op_id in ("1", "2"):
            await subscribe(first, PROGRESS, {"id": str(run.id)}, op_id=op_id)
            assert (await receive(first))["type"] == "next"
        await subscribe(second, PROGRESS, {"id": str(run.id)}, op_id="3")
        refused = await messages_until_done(second, "3")
        async with ws_connect(url, headers=acme.editor.headers) as other_user:
            await init(other_user)
            await subscribe(other_user, PROGRESS, {"id": str(run.id)})
            assert (await receive(other_user))["type"] == "next"
    [error] = refused[0]["payload"]["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    assert error["message"].startswith("At most 2 subscriptions may be open at once")


@pytest.mark.asyncio
async def test_a_closed_subscription_frees_its_place(acme: Team) -> None:
    run = await make_run(acme.tenant, status=RunStatus.RUNNING)
    hub = ProgressHub()
    user_id = acme.viewer.user.id
    async with hub.following(run.id, user_id, 1) as mailbox:
        assert (await mailbox.take()).id == run.id
        with pytest.raises(ClientError):
            async with hub.following(run.id, user_id, 1):
                pass
    async with hub.following(run.id, user_id, 1) as mailbox:
        assert (await mailbox.take()).id == run.id
    assert hub.watchers == {}
