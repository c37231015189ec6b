"""Database configuration, start-up and shutdown, and the few dialect facts raw SQL needs.

Every function takes the database URL: the settings are read where a process starts."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient

MODELS_MODULE = "orm.models"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Tortoise's configuration for the database at `database_url`, with the committed
    migrations."""
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": "orm.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


_opened_url: str | None = None


async def open_database(database_url: str) -> None:
    """Connect the ORM on the running event loop, visible to every task on it."""
    global _opened_url
    config = tortoise_config(database_url)
    await Tortoise.init(config=config, _enable_global_fallback=True)
    _opened_url = config["connections"]["default"]
    conn = connection()
    if conn.capabilities.dialect == "sqlite":
        await conn.create_connection(with_db=True)
        # SQLite's own lower() folds ASCII only; searches must match "Ärzte" with "ärzte" too.
        await conn._connection.create_function(  # type: ignore[attr-defined]
            "lower", 1, _unicode_lower, deterministic=True
        )


def _unicode_lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


async def close_database() -> None:
    await Tortoise.close_connections()


async def migrate_database(database_url: str) -> list[str]:
    """Apply the committed migrations (the same set on SQLite and PostgreSQL); returns the names
    of those applied now, in order (empty where the database was up to date)."""
    from tortoise.migrations.api import migrate

    applied: list[str] = []

    def note_applied(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)

    await migrate(config=tortoise_config(database_url), progress=note_applied)
    await Tortoise.close_connections()
    return applied


def opened_url() -> str | None:
    """The URL of the database `open_database` last connected to."""
    return _opened_url


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    conn = conn or connection()
    return conn.capabilities.dialect == "postgres"


def placeholders(conn: BaseDBAsyncClient, count: int, start: int = 1) -> list[str]:
    """Parameter markers for raw SQL: $1, $2… on asyncpg, ? on SQLite."""
    if is_postgres(conn):
        return [f"${i}" for i in range(start, start + count)]
    return ["?"] * count


def sql_date(conn: BaseDBAsyncClient, day: date) -> object:
    """A date as raw SQL takes it: asyncpg takes dates; SQLite stores them as ISO text."""
    return day if is_postgres(conn) else day.isoformat()
