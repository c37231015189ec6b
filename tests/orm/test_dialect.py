"""The dialect helpers give the same answers on SQLite and PostgreSQL."""

import pytest

from orm.db import connection, placeholders
from orm.dialect import bigint_parameter, in_subquery, numbered_placeholder, zero_padded

pytestmark = pytest.mark.asyncio


async def padded(prefix: str, number: int, digits: int) -> str:
    conn = connection()
    head = placeholders(conn, 2)
    sql = f"SELECT {zero_padded(conn, head[0], bigint_parameter(conn, head[1]), digits)} AS n"
    rows = await conn.execute_query_dict(sql, [prefix, number])
    return rows[0]["n"]


async def test_a_number_is_padded_with_zeros_to_the_digits_asked(db: str) -> None:
    assert await padded("INV-", 42, 6) == "INV-000042"


async def test_a_number_longer_than_the_digits_is_kept_whole(db: str) -> None:
    assert await padded("INV-", 12_345_678, 6) == "INV-12345678"


async def test_a_numbered_placeholder_can_be_used_twice(db: str) -> None:
    conn = connection()
    first = bigint_parameter(conn, numbered_placeholder(conn, 1))
    rows = await conn.execute_query_dict(f"SELECT {first} + {first} AS twice", [21])
    assert int(rows[0]["twice"]) == 42


async def test_in_subquery_keeps_the_values_the_subquery_selects(db: str) -> None:
    conn = connection()
    values = "SELECT 1 AS v UNION ALL SELECT 2 UNION ALL SELECT 3"
    kept = in_subquery(conn, "v", "SELECT 2 UNION ALL SELECT 3")
    rows = await conn.execute_query_dict(
        f"SELECT v FROM ({values}) AS numbers WHERE {kept} ORDER BY v"
    )
    assert [int(row["v"]) for row in rows] == [2, 3]
