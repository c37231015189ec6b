"""The API under test: the app over httpx on the test's own event loop, and tenants to call as."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from graph.app import create_app
from ispbox.config import Settings
from orm.models import Client, Tenant
from tests.support.builders import VIEW, ApiUser, make_client, make_tenant, make_user
from tests.support.keys import TEST_SECRET_KEY

API_URL = "http://api.test"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "env": "development",
        "secret_key": TEST_SECRET_KEY,
        "public_url": API_URL,
        "dashboard_url": "http://dashboard.test",
        "broker_url": "memory://",
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def api_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app over httpx; the test has opened the database, and no workers run."""
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=API_URL) as client:
        yield client


@dataclass
class GraphQLClient:
    """Posts operations to /graphql as a given user."""

    http: httpx.AsyncClient

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, user: ApiUser
    ) -> httpx.Response:
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=user.headers
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, user: ApiUser
    ) -> dict[str, Any]:
        """The whole response body, data and errors."""
        response = await self.post(query, variables, user=user)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, user: ApiUser
    ) -> dict[str, Any]:
        """The data of an operation that must succeed without errors."""
        body = await self.execute(query, variables, user=user)
        assert "errors" not in body, body["errors"]
        return body["data"]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


@dataclass
class Team:
    """A tenant with a client and three users: an editor, a view-only user, and one without
    permissions."""

    tenant: Tenant
    client: Client
    editor: ApiUser
    viewer: ApiUser
    stranger: ApiUser


async def make_team(key: str) -> Team:
    tenant = await make_tenant(key)
    return Team(
        tenant=tenant,
        client=await make_client(tenant, f"{key}-client", name=f"{key.title()} Client"),
        editor=await make_user(tenant, f"{key}-editor"),
        viewer=await make_user(tenant, f"{key}-viewer", permissions=(VIEW,)),
        stranger=await make_user(tenant, f"{key}-stranger", permissions=()),
    )


@pytest.fixture
def settings(db: str) -> Settings:
    return make_settings(db)


@pytest_asyncio.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(settings) as client:
        yield client


@pytest.fixture
def graphql(api: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(api)


@pytest_asyncio.fixture
async def acme(db: str) -> Team:
    return await make_team("acme")


@pytest_asyncio.fixture
async def globex(db: str) -> Team:
    """Another tenant, whose ids must behave as missing ones for acme's users."""
    return await make_team("globex")
