"""Writing many rows at once without building a model object per row.

PostgreSQL takes the rows through COPY (the fastest way in); SQLite through one prepared INSERT
executed for every row, with values in the text forms the ORM itself stores there.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from orm.db import is_postgres, placeholders


async def insert_rows(
    conn: BaseDBAsyncClient, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> None:
    """Insert the rows (values in `columns` order) inside the caller's transaction."""
    if not rows:
        return
    if is_postgres(conn):
        try:
            # The transaction's own asyncpg connection: COPY runs inside the same transaction.
            await conn._connection.copy_records_to_table(  # type: ignore[attr-defined]
                table, records=rows, columns=list(columns)
            )
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(exc) from exc
        return
    marks = ", ".join("?" * len(columns))
    await conn.execute_many(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        [[_sqlite_value(value) for value in row] for row in rows],
    )


async def set_column_by_id(
    conn: BaseDBAsyncClient,
    table: str,
    column: str,
    postgres_type: str,
    values_by_id: Sequence[tuple[int, object]],
    *,
    also: str = "",
) -> None:
    """Set `column` of each row to its value (and apply `also`, e.g. "status = 'invoiced'")."""
    if not values_by_id:
        return
    extra = f", {also}" if also else ""
    if is_postgres(conn):
        await conn.execute_query(
            f"UPDATE {table} AS t SET {column} = v.value{extra} "
            f"FROM unnest($1::bigint[], $2::{postgres_type}[]) AS v(id, value) WHERE t.id = v.id",
            [[row_id for row_id, _ in values_by_id], [value for _, value in values_by_id]],
        )
        return
    await conn.execute_many(
        f"UPDATE {table} SET {column} = ?{extra} WHERE id = ?",
        [[_sqlite_value(value), row_id] for row_id, value in values_by_id],
    )


# Names of the staging tables of `update_rows`, unique within the process's transactions.
_staging_names = itertools.count(1)


async def update_rows(
    conn: BaseDBAsyncClient,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
) -> None:
    """Set `columns` of each row given as (id, values in `columns` order), on PostgreSQL, in
    the caller's transaction: the rows are COPYed into a temporary staging table of the same
    column types, then one UPDATE … FROM writes them all."""
    if not rows:
        return
    staging = f"staging_{table}_{next(_staging_names)}"
    names = ", ".join(f'"{name}"' for name in columns)
    await conn.execute_script(
        f'CREATE TEMPORARY TABLE "{staging}" ON COMMIT DROP AS '
        f'SELECT id, {names} FROM "{table}" WITH NO DATA'
    )
    await conn._connection.copy_records_to_table(  # type: ignore[attr-defined]
        staging, records=rows, columns=["id", *columns]
    )
    assignments = ", ".join(f'"{name}" = s."{name}"' for name in columns)
    # execute_script raises the ORM's IntegrityError for a constraint the update breaks.
    await conn.execute_script(
        f'UPDATE "{table}" AS t SET {assignments} FROM "{staging}" AS s WHERE t.id = s.id; '
        f'DROP TABLE "{staging}"'
    )


async def reserve_ids(conn: BaseDBAsyncClient, table: str, count: int) -> list[int] | None:
    """`count` new ids of `table` from its sequence, ascending; None on SQLite (no sequences:
    ids come with the insert there)."""
    if not is_postgres(conn):
        return None
    # One row holding every id as an array: a row per id costs more to read than to take.
    _, rows = await conn.execute_query(
        f"SELECT array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) AS ids "
        "FROM generate_series(1, $1)",
        [count],
    )
    return sorted(rows[0]["ids"] or [])


async def new_ids(conn: BaseDBAsyncClient, table: str, count: int) -> list[int]:
    """`count` ids for new rows of `table`, ascending, to insert with: from its sequence on
    PostgreSQL; on SQLite past the largest id, which holds because the caller's transaction has
    written already, so no other writer runs until it ends."""
    reserved = await reserve_ids(conn, table, count)
    if reserved is not None:
        return reserved
    rows = await conn.execute_query_dict(f"SELECT coalesce(max(id), 0) AS last FROM {table}")
    last = int(rows[0]["last"])
    return list(range(last + 1, last + 1 + count))


async def defer_constraint(conn: BaseDBAsyncClient, name: str) -> None:
    """Check the deferrable constraint at the commit of the caller's transaction (PostgreSQL;
    SQLite checks nothing earlier than it must anyway)."""
    if is_postgres(conn):
        await conn.execute_script(f"SET CONSTRAINTS {name} DEFERRED")


def _sqlite_value(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


async def insert_new_rows(
    conn: BaseDBAsyncClient,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    *,
    unique: Sequence[str],
    returning: Sequence[str],
    batch_size: int = 500,
) -> list[dict[str, Any]]:
    """Insert the rows whose `unique` columns hold no row yet, inside the caller's transaction;
    the `returning` columns of the rows really inserted (a row another transaction inserted
    first is left out, once that transaction commits)."""
    inserted: list[dict[str, Any]] = []
    width = len(columns)
    postgres = is_postgres(conn)
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        marks = placeholders(conn, width * len(batch))
        values = ", ".join(
            f"({', '.join(marks[index * width : (index + 1) * width])})"
            for index in range(len(batch))
        )
        params = [value if postgres else _sqlite_value(value) for row in batch for value in row]
        inserted += await conn.execute_query_dict(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
            f"ON CONFLICT ({', '.join(unique)}) DO NOTHING RETURNING {', '.join(returning)}",
            params,
        )
    return inserted
