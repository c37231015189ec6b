"""Indexes the product's lookups rely on exist on SQLite and PostgreSQL alike."""

import pytest

from orm.db import connection

pytestmark = pytest.mark.asyncio

INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE tbl_name = 'charge_attempts'",
    "postgres": "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'charge_attempts'",
}


async def test_charge_attempts_are_found_by_their_payment_intent_through_an_index(db: str) -> None:
    client = connection()
    rows = await client.execute_query_dict(INDEX_NAMES[client.capabilities.dialect])
    assert "idx_charge_attempts_intent" in {row["name"] for row in rows}


async def test_owed_invoices_are_found_by_due_date_through_a_partial_index(db: str) -> None:
    client = connection()
    statement = (
        "SELECT name FROM sqlite_master WHERE tbl_name = 'invoices'"
        if client.capabilities.dialect == "sqlite"
        else "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'invoices'"
    )
    rows = await client.execute_query_dict(statement)
    assert "idx_invoices_owed_due" in {row["name"] for row in rows}
