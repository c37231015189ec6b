"""A fingerprint of every row of every table, to show that a refused request changed nothing.

On PostgreSQL it is one statement (a digest per table), cheap enough to take around each of
thousands of fuzzed mutations; on SQLite the rows are read and hashed here.
"""

from __future__ import annotations

import hashlib

from orm.db import connection, is_postgres

Fingerprint = dict[str, str]


async def table_names() -> list[str]:
    conn = connection()
    if is_postgres(conn):
        rows = await conn.execute_query_dict(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
    else:
        rows = await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    return sorted(row["name"] for row in rows)


async def fingerprint(tables: list[str] | None = None) -> Fingerprint:
    """A digest of each table's rows (in any order)."""
    conn = connection()
    tables = tables or await table_names()
    if is_postgres(conn):
        columns = ", ".join(
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f'FROM "{name}" t) AS "{name}"'
            for name in tables
        )
        [row] = await conn.execute_query_dict(f"SELECT {columns}")
        return {name: str(row[name]) for name in tables}
    digests = {}
    for name in tables:
        rows = await conn.execute_query_dict(f'SELECT * FROM "{name}"')
        text = "|".join(sorted(repr(sorted(row.items())) for row in rows))
        digests[name] = hashlib.md5(text.encode()).hexdigest()
    return digests


def changed_tables(before: Fingerprint, after: Fingerprint) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
