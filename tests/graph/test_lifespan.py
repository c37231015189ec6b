"""The application's lifespan: the database, and the embedded workers where the broker is (the
API process as `ispbox serve` composes it)."""

from __future__ import annotations

import httpx
import pytest

from graph.app import create_app
from ispbox.config import Settings
from ispbox.server import served_app
from tests.graph.conftest import make_settings
from tests.graph.ws import serve
from workers import embedded


@pytest.fixture
def worker_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    async def start(settings: Settings) -> None:
        calls.append("start")

    async def stop() -> None:
        calls.append("stop")

    monkeypatch.setattr(embedded, "start_embedded_workers", start)
    monkeypatch.setattr(embedded, "stop_embedded_workers", stop)
    return calls


def health_url(ws_url: str) -> str:
    return ws_url.replace("ws://", "http://").replace("/graphql", "/health")


@pytest.mark.asyncio
async def test_the_lifespan_opens_the_database_and_runs_the_embedded_workers(
    sqlite_url: str, worker_calls: list[str]
) -> None:
    app = served_app(make_settings(sqlite_url))
    async with serve(app, lifespan="on") as url, httpx.AsyncClient() as http:
        response = await http.get(health_url(url))
        assert worker_calls == ["start"]
    assert response.json() == {"status": "ok"}
    assert worker_calls == ["start", "stop"]


@pytest.mark.asyncio
async def test_no_embedded_workers_with_an_outside_broker(
    sqlite_url: str, worker_calls: list[str]
) -> None:
    app = served_app(make_settings(sqlite_url, broker_url="redis://127.0.0.1:6379/13"))
    async with serve(app, lifespan="on") as url, httpx.AsyncClient() as http:
        assert (await http.get(health_url(url))).status_code == 200
    assert worker_calls == []


@pytest.mark.asyncio
async def test_the_api_alone_runs_no_workers(sqlite_url: str, worker_calls: list[str]) -> None:
    app = create_app(make_settings(sqlite_url))
    async with serve(app, lifespan="on") as url, httpx.AsyncClient() as http:
        assert (await http.get(health_url(url))).status_code == 200
    assert worker_calls == []


@pytest.mark.asyncio
async def test_health_is_503_without_a_database(sqlite_url: str) -> None:
    app = create_app(make_settings(sqlite_url), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        response = await http.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
