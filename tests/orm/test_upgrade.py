"""A database with data in it upgrades: every migration after the first released ones applies
over existing rows on SQLite and PostgreSQL, and what was there keeps its meaning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from orm.db import tortoise_config
from tests.support.database import create_postgres_database, drop_postgres_database

# The last migration of the first release: databases in use stand here or later.
RELEASED = "models.0003_invoice_status_totals"
ROWS = [
    "INSERT INTO tenants (key, name, currency, timezone, payment_terms_days, grace_period_days,"
    " auto_generate, auto_email, auto_charge, review_runs, invoice_number_prefix,"
    " invoice_sequence, mailbox_starttls, created_at) VALUES ('t', 'T', 'USD', 'UTC', 14, 7,"
    " false, false, false, false, 'INV-', 1, false, CURRENT_TIMESTAMP)",
    "INSERT INTO clients (tenant_id, key, name, status, blocked) VALUES (1, 'c', 'C', 'active',"
    " false)",
    "INSERT INTO invoice_runs (tenant_id, billing_date, status, trigger, review, created_at,"
    " clients_total, clients_processed, invoices_issued, amount_issued_cents, errors_count,"
    " chunks_total, chunks_done, progress_version) VALUES (1, '2026-11-01', 'completed',"
    " 'manual', false, CURRENT_TIMESTAMP, 1, 1, 1, 500, 0, 1, 1, 1)",
    "INSERT INTO invoices (tenant_id, client_id, run_id, number, status, issued_on, due_on,"
    " grace_until, currency, total_cents, balance_cents, auto_email, created_at) VALUES (1, 1, 1,"
    " 'INV-000001', 'unpaid', '2026-11-01', '2026-11-15', '2026-11-22', 'USD', 500, 500, false,"
    " CURRENT_TIMESTAMP)",
]


@pytest_asyncio.fixture(params=["sqlite", "postgres"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'upgrade.sqlite3'}"
        return
    url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(url)


async def rows(config: dict, sql: str) -> list[dict]:
    await Tortoise.init(config=config)
    try:
        return await connections.get("default").execute_query_dict(sql)
    finally:
        await Tortoise.close_connections()


@pytest.mark.asyncio
async def test_a_released_database_with_data_upgrades_to_the_latest(empty_database: str) -> None:
    config = tortoise_config(empty_database)
    await migrate(config=config, target=RELEASED)
    await Tortoise.close_connections()
    await Tortoise.init(config=config)
    for statement in ROWS:
        await connections.get("default").execute_script(statement)
    await Tortoise.close_connections()

    await migrate(config=config)
    await Tortoise.close_connections()

    [invoice] = await rows(
        config, "SELECT subtotal_cents, tax_cents, credited_cents, total_cents FROM invoices"
    )
    assert invoice == {
        "subtotal_cents": 500,
        "tax_cents": 0,
        "credited_cents": 0,
        "total_cents": 500,
    }
    [run] = await rows(config, "SELECT email_failures, invoices_issued FROM invoice_runs")
    assert run == {"email_failures": 0, "invoices_issued": 1}
    [client] = await rows(config, "SELECT tax_exempt, blocked_reason FROM clients")
    assert not client["tax_exempt"] and client["blocked_reason"] is None
