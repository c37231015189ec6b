"""Fixtures of the reliability tests: the API in-process, a served API for websockets, and two
tenants with aligned ids."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from graph.app import create_app
from tests.graph.conftest import api_client, make_settings
from tests.graph.ws import serve
from tests.reliability.tenants import Tenancy, make_tenancy


@pytest_asyncio.fixture
async def api(db: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app over httpx on the test's loop, in development (delete allowed), no workers."""
    async with api_client(make_settings(db)) as client:
        yield client


@pytest_asyncio.fixture
async def ws_url(db: str) -> AsyncIterator[str]:
    """The app served by uvicorn on the test's loop; the websocket URL of /graphql."""
    app = create_app(make_settings(db), manage_database=False)
    async with serve(app) as url:
        yield url


@pytest_asyncio.fixture
async def tenancy(db: str) -> Tenancy:
    return await make_tenancy()
