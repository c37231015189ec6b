"""Scratch PostgreSQL databases for the benchmarks, filled by the product's own generator and
import, and cloned from a template so each measurement starts from the same data."""

from __future__ import annotations

import argparse
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import asyncpg

from billing.imports.demo_data import DEMO_TOKENS, demo_document
from billing.imports.importer import import_document
from billing.tokens import hash_token
from ispbox.config import get_settings
from orm.db import close_database, migrate_database, open_database

ADMIN_URL = os.environ.get("ISPBOX_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# The benchmarks run with production settings, which need a secret key: one for this process and
# every server and worker it starts (they inherit the environment), so the tokens the import hashes
# are the ones the API checks.
os.environ.setdefault("ISPBOX_SECRET_KEY", secrets.token_urlsafe(48))
DEMO_TENANT = "northwind"
EDITOR_TOKEN = "demo-editor-token-northwind"


def database_url(name: str) -> str:
    return f"{ADMIN_URL}/{name}"


def scratch_name(purpose: str) -> str:
    return f"ispbox_bench_{purpose}_{uuid.uuid4().hex[:8]}"


async def _admin_execute(sql: str) -> None:
    admin = await asyncpg.connect(database_url("postgres"))
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


async def create_database(name: str, template: str | None = None) -> None:
    """An empty database, or a copy of `template` (which must have no open connections)."""
    clause = f' TEMPLATE "{template}"' if template else ""
    await _admin_execute(f'CREATE DATABASE "{name}"{clause}')


async def drop_database(name: str) -> None:
    await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def demo_database(name: str, clients: int, data_date: date) -> float:
    """Create `name`, migrate it and import the demo document of `clients` clients generated
    around `data_date`. Returns the seconds the generation and import took."""
    await create_database(name)
    url = database_url(name)
    await migrate_database(url)
    await open_database(url)
    try:
        started = time.perf_counter()
        document = demo_document(clients, today=data_date)
        await import_document(document, signing_key=get_settings().signing_key)
        elapsed = time.perf_counter() - started
    finally:
        await close_database()
    await vacuum_analyze(name)
    return elapsed


async def rehash_demo_tokens(name: str) -> None:
    """Store the demo users' API tokens under this process's secret key: a database prepared by
    another process (bench.prepare) holds them hashed under that one's."""
    key = get_settings().signing_key
    conn = await asyncpg.connect(database_url(name))
    try:
        for tenant_key, tokens in DEMO_TOKENS.items():
            for user_key, token in tokens.items():
                await conn.execute(
                    "UPDATE users u SET token_hash = $1 FROM tenants t "
                    "WHERE t.id = u.tenant_id AND t.key = $2 AND u.key = $3",
                    hash_token(token, key),
                    tenant_key,
                    user_key,
                )
    finally:
        await conn.close()


async def vacuum_analyze(name: str) -> None:
    """Fresh statistics and visibility map, as autovacuum would leave a settled database."""
    conn = await asyncpg.connect(database_url(name))
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


@asynccontextmanager
async def demo_template(purpose: str, clients: int, data_date: date) -> AsyncIterator[str]:
    """A scratch demo database (see `demo_database`) for the measurements to clone, dropped
    once they are done; yields its name."""
    template = scratch_name(purpose)
    try:
        await demo_database(template, clients, data_date)
        yield template
    finally:
        await drop_database(template)


def add_data_date_argument(parser: argparse.ArgumentParser) -> None:
    """--data-date: the day the demo data is generated around."""
    parser.add_argument(
        "--data-date",
        type=date.fromisoformat,
        default=date(2026, 11, 1),
        help="the 'today' the demo data is generated around",
    )
