"""Introspection and "Did you mean …?" suggestions: on in development, off in production unless
ISPBOX_GRAPHQL_INTROSPECTION turns them on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graph.conftest import Team, api_client, make_settings

pytestmark = pytest.mark.asyncio

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPO = "{ viewr { userName } }"


async def ask(settings_overrides: dict[str, Any], db: str, team: Team, query: str) -> dict:
    async with api_client(make_settings(db, **settings_overrides)) as api:
        response = await api.post("/graphql", json={"query": query}, headers=team.viewer.headers)
    return response.json()


async def test_production_refuses_introspection(db: str, acme: Team) -> None:
    body = await ask({"env": "production"}, db, acme, INTROSPECTION)
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_production_answers_without_suggestions(db: str, acme: Team) -> None:
    body = await ask({"env": "production"}, db, acme, TYPO)
    [error] = body["errors"]
    assert "viewr" in error["message"]
    assert "Did you mean" not in error["message"]


async def test_production_introspection_can_be_turned_on(db: str, acme: Team) -> None:
    body = await ask({"env": "production", "graphql_introspection": True}, db, acme, INTROSPECTION)
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    suggested = await ask({"env": "production", "graphql_introspection": True}, db, acme, TYPO)
    assert "Did you mean" in suggested["errors"][0]["message"]


async def test_development_introspects_and_suggests(db: str, acme: Team) -> None:
    body = await ask({}, db, acme, INTROSPECTION)
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    suggested = await ask({}, db, acme, TYPO)
    assert "Did you mean" in suggested["errors"][0]["message"]


async def test_development_can_turn_introspection_off(db: str, acme: Team) -> None:
    body = await ask({"graphql_introspection": False}, db, acme, INTROSPECTION)
    assert body.get("data") is None
