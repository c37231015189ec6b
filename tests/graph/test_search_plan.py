"""On PostgreSQL the live search is written so the trigram indexes on lower(invoices.number) and
lower(clients.name) can serve it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from orm.db import connection
from tests.graph.conftest import GraphQLClient, Team
from tests.graph.test_query_count import counting_statements

SEARCH = """query($search: String) {
  invoices(filter: {search: $search}, first: 20) { totalCount edges { node { id } } }
}"""

NUMBER_PREDICATE = """LOWER("number") LIKE LOWER($2) ESCAPE '\\'"""
NAME_PREDICATE = """LOWER("name") LIKE LOWER($4) ESCAPE '\\'"""


async def add_rows(team: Team, count: int) -> None:
    """Many clients, each with an invoice, written by the database itself (fast)."""
    tenant = team.tenant.id
    await connection().execute_script(
        f"""
        INSERT INTO clients (tenant_id, key, name, status, blocked)
        SELECT {tenant}, 'bulk-' || g, 'Client ' || md5(g::text), 'active', false
        FROM generate_series(1, {count}) g;
        INSERT INTO invoices (tenant_id, client_id, number, status, issued_on, due_on,
            grace_until, currency, subtotal_cents, tax_cents, credited_cents, total_cents,
            balance_cents, auto_email, created_at)
        SELECT {tenant}, c.id, 'INV-' || lpad(c.id::text, 7, '0'), 'unpaid', DATE '2026-11-01',
            DATE '2026-11-15', DATE '2026-11-22', 'USD', 100, 0, 0, 100, 100, false, now()
        FROM clients c WHERE c.tenant_id = {tenant};
        ANALYZE clients; ANALYZE invoices;
        """
    )


def index_names(plan: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            found.add(plan["Index Name"])
        for value in plan.values():
            found |= index_names(value)
    elif isinstance(plan, list):
        for item in plan:
            found |= index_names(item)
    return found


async def indexes_used(sql: str, params: list[Any]) -> set[str]:
    """The indexes of the statement's plan where sequential scans are avoided."""
    async with in_transaction() as conn:
        await conn.execute_script("SET LOCAL enable_seqscan = off")
        [row] = await conn.execute_query_dict(f"EXPLAIN (FORMAT JSON) {sql}", params)
    plan = row["QUERY PLAN"]
    return index_names(json.loads(plan) if isinstance(plan, str) else plan)


@pytest.mark.postgres_only
@pytest.mark.asyncio
async def test_the_invoice_search_is_served_by_the_trigram_indexes(
    graphql: GraphQLClient, acme: Team
) -> None:
    await add_rows(acme, 30_000)
    with counting_statements() as counter:
        data = await graphql.data(SEARCH, {"search": "INV-000123"}, user=acme.viewer)
    assert data["invoices"]["totalCount"] == 10
    [(sql, params)] = [r for r in counter.records if "LIKE" in r[0] and "LIMIT" in r[0]]
    assert NUMBER_PREDICATE in sql
    assert NAME_PREDICATE in sql
    assert params[1] == params[3] == "%INV-000123%"

    assert "idx_invoices_number_trgm" in await indexes_used(sql, params)
    name_search = f'SELECT "id" FROM "clients" WHERE {NAME_PREDICATE.replace("$4", "$1")}'
    assert "idx_clients_name_trgm" in await indexes_used(name_search, [params[3]])
