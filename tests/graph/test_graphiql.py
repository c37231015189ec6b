"""GraphiQL works offline: its page loads scripts and styles from this API only."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import httpx
import pytest

from tests.graph.conftest import Team, api_client, make_settings

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
ASSET_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def graphiql_page(api: httpx.AsyncClient) -> str:
    response = await api.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.text


async def test_the_page_names_no_other_host(api: httpx.AsyncClient) -> None:
    page = await graphiql_page(api)

    urls = ASSET_URL.findall(page)
    assert len(urls) == 4
    assert [url for url in urls if "//" in url or not url.startswith("/")] == []
    assert not re.search(r"https?://", page)


async def test_every_asset_of_the_page_is_served(api: httpx.AsyncClient) -> None:
    page = await graphiql_page(api)

    for url in ASSET_URL.findall(page):
        response = await api.get(url)
        assert response.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "css"
        assert kind in response.headers["content-type"], url
        assert len(response.content) > 1000, url


async def test_the_assets_are_minified_builds_of_reasonable_size(api: httpx.AsyncClient) -> None:
    page = await graphiql_page(api)

    sizes = [len((await api.get(url)).content) for url in ASSET_URL.findall(page)]
    assert sum(sizes) < 5_000_000


async def test_production_serves_neither_page_nor_assets(db: str, acme: Team) -> None:
    async with api_client(make_settings(db, env="production")) as api:
        asset = await api.get("/graphiql/static/graphiql.min.js")
    assert asset.status_code == 404


async def test_the_assets_are_package_data() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = project["tool"]["setuptools"]["package-data"]["graph.graphiql"]
    package = ROOT / "graph" / "graphiql"

    assets = [path.relative_to(package) for path in (package / "vendor").iterdir()]
    assert assets
    assert [str(asset) for asset in assets if not any(asset.match(g) for g in globs)] == []
