"""Rate limits (per token, per address, refused credentials per address) and the body cap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.limits import storage_uri
from tests.graph.conftest import API_URL, Team, make_settings
from tests.support.services import REDIS_URL

# The limits act before the database is reached: one backend is enough.
pytestmark = pytest.mark.sqlite_only

KPIS = {"query": "{ invoiceKpis { totalInvoices } }"}
GENEROUS = "1000/minute"


@asynccontextmanager
async def api_at(
    db: str, address: str = "10.0.0.1", **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The app over httpx, its requests coming from `address`."""
    limits = {
        "rate_limit_per_token": GENEROUS,
        "rate_limit_per_address": GENEROUS,
        "rate_limit_failed_auth": GENEROUS,
    }
    app = create_app(make_settings(db, **{**limits, **overrides}), manage_database=False)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=API_URL) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


@pytest.mark.asyncio
async def test_token_guessing_is_refused_after_a_few_tries(db: str, acme: Team) -> None:
    async with api_at(db, rate_limit_failed_auth="3/minute") as api:
        guesses = [
            await api.post("/graphql", json=KPIS, headers=bearer(f"guess-{n}")) for n in range(5)
        ]
        # The address that guessed waits, whatever it sends next.
        after = await api.post("/graphql", json=KPIS, headers=acme.viewer.headers)
    assert [r.status_code for r in guesses] == [401, 401, 401, 429, 429]
    assert_rate_limited(guesses[-1])
    assert_rate_limited(after)


@pytest.mark.asyncio
async def test_guessing_from_one_address_leaves_others_alone(db: str, acme: Team) -> None:
    app = create_app(
        make_settings(db, rate_limit_failed_auth="2/minute"),
        manage_database=False,
    )

    def client_from(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url=API_URL)

    async with client_from("10.0.0.6") as attacker, client_from("10.0.0.7") as user:
        for n in range(3):
            await attacker.post("/graphql", json=KPIS, headers=bearer(f"guess-{n}"))
        refused = await attacker.post("/graphql", json=KPIS, headers=acme.viewer.headers)
        served = await user.post("/graphql", json=KPIS, headers=acme.viewer.headers)
    assert_rate_limited(refused)
    assert served.status_code == 200


@pytest.mark.asyncio
async def test_a_token_past_its_rate_is_refused_with_retry_after(db: str, acme: Team) -> None:
    async with api_at(db, rate_limit_per_token="2/minute") as api:
        statuses = [
            (await api.post("/graphql", json=KPIS, headers=acme.viewer.headers)).status_code
            for _ in range(2)
        ]
        refused = await api.post("/graphql", json=KPIS, headers=acme.viewer.headers)
        other_user = await api.post("/graphql", json=KPIS, headers=acme.editor.headers)
    assert statuses == [200, 200]
    assert_rate_limited(refused)
    assert other_user.status_code == 200


@pytest.mark.asyncio
async def test_an_address_past_its_rate_is_refused(db: str, acme: Team) -> None:
    async with api_at(db, rate_limit_per_address="2/minute") as api:
        await api.post("/graphql", json=KPIS, headers=acme.viewer.headers)
        await api.post("/graphql", json=KPIS, headers=acme.editor.headers)
        refused = await api.post("/graphql", json=KPIS, headers=acme.stranger.headers)
        health = await api.get("/health")
    assert_rate_limited(refused)
    assert health.status_code == 200


@pytest.mark.asyncio
async def test_the_defaults_leave_room_for_a_busy_dashboard(db: str, acme: Team) -> None:
    app = create_app(make_settings(db), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API_URL) as api:
        statuses = {
            (await api.post("/graphql", json=KPIS, headers=acme.viewer.headers)).status_code
            for _ in range(60)
        }
    assert statuses == {200}


@pytest.mark.asyncio
async def test_api_processes_sharing_redis_count_together(db: str, acme: Team) -> None:
    shared = {"rate_limit_per_token": "2/minute", "rate_limit_storage": f"async+{REDIS_URL}"}
    async with api_at(db, **shared) as first, api_at(db, **shared) as second:
        served = [
            (await first.post("/graphql", json=KPIS, headers=acme.viewer.headers)).status_code,
            (await second.post("/graphql", json=KPIS, headers=acme.viewer.headers)).status_code,
        ]
        refused = await first.post("/graphql", json=KPIS, headers=acme.viewer.headers)
    assert served == [200, 200]
    assert_rate_limited(refused)


def test_the_counters_follow_the_broker() -> None:
    assert storage_uri(make_settings("sqlite://:memory:")) == "async+memory://"
    redis = make_settings("sqlite://:memory:", broker_url="redis://127.0.0.1:6379/4")
    assert storage_uri(redis) == "async+redis://127.0.0.1:6379/4"
    amqp = make_settings("sqlite://:memory:", broker_url="amqp://guest@127.0.0.1")
    assert storage_uri(amqp) == "async+memory://"


async def chunks(total: int, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, total, size):
        yield b" " * min(size, total - start)


@pytest.mark.asyncio
@pytest.mark.parametrize("streamed", [False, True], ids=["declared", "streamed"])
async def test_a_body_over_the_cap_is_413(db: str, acme: Team, streamed: bool) -> None:
    async with api_at(db, max_request_bytes=4000) as api:
        content: Any = chunks(5000) if streamed else b" " * 5000
        response = await api.post(
            "/graphql",
            content=content,
            headers={**acme.viewer.headers, "Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert response.json()["message"] == "The request body is larger than the limit of 4,000 bytes."


@pytest.mark.asyncio
async def test_a_body_at_the_cap_is_served(db: str, acme: Team) -> None:
    body = b'{"query": "{ invoiceKpis { totalInvoices } }"}'
    async with api_at(db, max_request_bytes=len(body)) as api:
        response = await api.post(
            "/graphql",
            content=body,
            headers={**acme.viewer.headers, "Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
