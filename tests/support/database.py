"""Scratch databases: one migrated SQLite file and one migrated PostgreSQL database per session,
emptied between tests. The same tests run on both."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
import pytest_asyncio
from tortoise.backends.base.executor import EXECUTOR_CACHE

from orm.db import close_database, connection, migrate_database, open_database
from tests.support.services import POSTGRES_ADMIN_URL, require_service

T = TypeVar("T")

TABLES = [
    "invoice_due_totals",
    "invoice_reminders",
    "collections_chunks",
    "collections_passes",
    "document_files",
    "idempotency_keys",
    "audit_events",
    "payment_refunds",
    "credit_applications",
    "bank_statement_entries",
    "bank_statements",
    "service_rebill_periods",
    "service_schedule_snapshots",
    "invoice_run_errors",
    "invoice_run_chunks",
    "charge_attempts",
    "email_attempts",
    "credit_note_taxes",
    "credit_note_lines",
    "credit_notes",
    "payment_allocations",
    "payments",
    "invoice_taxes",
    "invoice_lines",
    "charges",
    "invoices",
    "invoice_runs",
    "services",
    "clients",
    "users",
    "tenants",
]


async def create_postgres_database() -> str:
    name = f"ispbox_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{POSTGRES_ADMIN_URL}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return f"{POSTGRES_ADMIN_URL}/{name}"


async def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(f"{POSTGRES_ADMIN_URL}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def empty_all_tables() -> None:
    conn = connection()
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        for table in TABLES:
            await conn.execute_script(f"DELETE FROM {table}")
        await conn.execute_script("DELETE FROM sqlite_sequence")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Session set-up runs on a loop of its own: the tests' loop may already be running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "ispbox.sqlite3"
    url = f"sqlite://{path}"
    run_in_own_loop(migrate_database(url))
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    url = run_in_own_loop(create_postgres_database())
    run_in_own_loop(migrate_database(url))
    yield url
    run_in_own_loop(drop_postgres_database(url))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked postgres_only (row locks, real concurrency, notifications) are not run on
    SQLite at all, and those marked sqlite_only not on PostgreSQL."""
    other_backend = {"postgres_only": "sqlite", "sqlite_only": "postgres"}
    unwanted = [
        item
        for item in items
        if getattr(item, "callspec", None) is not None
        and any(
            item.get_closest_marker(marker) and item.callspec.params.get("database_url") == backend
            for marker, backend in other_backend.items()
        )
    ]
    if unwanted:
        config.hook.pytest_deselected(items=unwanted)
        deselected = set(unwanted)
        items[:] = [item for item in items if item not in deselected]


@pytest_asyncio.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The URL of an empty, migrated database, connected through the ORM for the test."""
    backend = request.param
    url = request.getfixturevalue(f"{backend}_url")
    # Tortoise caches INSERT statements by connection name, not dialect: tests that switch
    # between SQLite and PostgreSQL in one process must drop them.
    EXECUTOR_CACHE.clear()
    await open_database(url)
    await empty_all_tables()
    try:
        yield url
    finally:
        await close_database()


@pytest_asyncio.fixture
async def db(database_url: str) -> str:
    """Shorthand for tests that only need an empty database."""
    return database_url
