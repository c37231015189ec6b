"""Abuse limits (depth, tokens, aliases) and how server faults reach a client."""

from __future__ import annotations

import pytest

import graph.queries
from graph.schema import MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS
from tests.graph.conftest import GraphQLClient, Team


def nested_runs(depth: int) -> str:
    """A query that goes run → invoices → run → … to the given depth."""
    inner = "id"
    for _ in range(depth):
        inner = f"run {{ invoices {{ edges {{ node {{ {inner} }} }} }} }}"
    return f"{{ invoices {{ edges {{ node {{ {inner} }} }} }} }}"


@pytest.mark.asyncio
async def test_a_query_deeper_than_the_limit_is_refused(graphql: GraphQLClient, acme: Team) -> None:
    response = await graphql.post(nested_runs(3), user=acme.viewer)
    body = response.json()
    assert body.get("data") is None
    assert f"exceeds maximum operation depth of {MAX_QUERY_DEPTH}" in body["errors"][0]["message"]


@pytest.mark.asyncio
async def test_a_query_within_the_depth_limit_runs(graphql: GraphQLClient, acme: Team) -> None:
    await graphql.data(nested_runs(1), user=acme.viewer)


@pytest.mark.asyncio
async def test_a_document_with_too_many_tokens_is_refused(
    graphql: GraphQLClient, acme: Team
) -> None:
    query = "{ viewer { " + "userName " * MAX_TOKENS + "} }"
    response = await graphql.post(query, user=acme.viewer)
    body = response.json()
    assert body.get("data") is None
    assert f"more than {MAX_TOKENS} tokens" in body["errors"][0]["message"]


@pytest.mark.asyncio
async def test_too_many_aliases_are_refused(graphql: GraphQLClient, acme: Team) -> None:
    fields = " ".join(f"k{n}: invoiceKpis {{ totalInvoices }}" for n in range(MAX_ALIASES + 1))
    response = await graphql.post(f"{{ {fields} }}", user=acme.viewer)
    body = response.json()
    assert body.get("data") is None
    assert "aliases" in body["errors"][0]["message"]


@pytest.mark.asyncio
async def test_introspection_passes_the_limits(graphql: GraphQLClient, acme: Team) -> None:
    from graphql import get_introspection_query

    data = await graphql.data(get_introspection_query(descriptions=True), user=acme.viewer)
    assert data["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.asyncio
async def test_a_server_fault_reaches_the_client_without_its_details(
    graphql: GraphQLClient, acme: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(tenant_id: int) -> None:
        raise RuntimeError("connection string postgres://secret@db")

    monkeypatch.setattr(graph.queries, "invoice_kpis", broken)
    body = await graphql.execute("{ invoiceKpis { totalInvoices } }", user=acme.viewer)
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "secret" not in str(body)
