"""The statements the API runs for each benchmarked query (past the token check), written out
and timed in plain SQL on one asyncpg connection: what the database alone costs, to set the
API's latency against."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg

NEWEST_FIRST = "ORDER BY i.issued_on DESC, i.id DESC LIMIT 51"
CLIENT_NAMES = "SELECT id FROM clients WHERE tenant_id = $1 AND lower(name) LIKE lower($2)"

Statements = Callable[[asyncpg.Connection, int], Awaitable[object]]


async def overview(conn: asyncpg.Connection, tenant_id: int) -> None:
    await conn.fetchval(
        "SELECT sum(invoice_count) FROM invoice_status_totals WHERE tenant_id = $1", tenant_id
    )
    await conn.fetch(
        "SELECT i.*, c.* FROM invoices i JOIN clients c ON c.id = i.client_id "
        f"WHERE i.tenant_id = $1 {NEWEST_FIRST}",
        tenant_id,
    )


def search(term: str) -> Statements:
    pattern = f"%{term}%"

    async def statements(conn: asyncpg.Connection, tenant_id: int) -> None:
        await conn.fetchval(
            "SELECT (SELECT count(*) FROM invoices WHERE tenant_id = $1 "
            f"AND client_id = ANY(ARRAY({CLIENT_NAMES}))) "
            "+ (SELECT count(*) FROM invoices WHERE tenant_id = $1 "
            f"AND lower(number) LIKE lower($2) AND NOT client_id = ANY(ARRAY({CLIENT_NAMES})))",
            tenant_id,
            pattern,
        )
        rows = await conn.fetch(
            "SELECT i.*, c.* FROM (SELECT * FROM invoices WHERE tenant_id = $1 "
            "ORDER BY issued_on DESC, id DESC LIMIT 5000) AS i "
            "JOIN clients c ON c.id = i.client_id "
            f"WHERE lower(i.number) LIKE lower($2) OR i.client_id IN ({CLIENT_NAMES}) "
            f"{NEWEST_FIRST}",
            tenant_id,
            pattern,
        )
        if len(rows) < 51:
            raise RuntimeError(f"{term!r} does not fill a page from the newest invoices")

    return statements


async def kpis(conn: asyncpg.Connection, tenant_id: int) -> None:
    await conn.fetch(
        "SELECT status, sum(invoice_count), sum(total_cents), sum(balance_cents), "
        "sum(outstanding_cents), count(*) FROM invoice_status_totals WHERE tenant_id = $1 "
        "GROUP BY status",
        tenant_id,
    )


def invoice(invoice_id: int) -> Statements:
    async def statements(conn: asyncpg.Connection, tenant_id: int) -> None:
        found = await conn.fetchrow(
            "SELECT * FROM invoices WHERE id = $1 AND tenant_id = $2 LIMIT 1", invoice_id, tenant_id
        )
        await conn.fetch(
            "SELECT * FROM invoice_lines WHERE tenant_id = $1 AND invoice_id = ANY($2) "
            "ORDER BY invoice_id, position, id",
            tenant_id,
            [invoice_id],
        )
        await conn.fetch(
            "SELECT * FROM clients WHERE tenant_id = $1 AND id = ANY($2)",
            tenant_id,
            [found["client_id"]],
        )

    return statements


def sql_statements(term: str, invoice_id: int) -> dict[str, Statements]:
    return {
        "overview": overview,
        "search": search(term),
        "kpis": kpis,
        "invoice": invoice(invoice_id),
    }


class SqlTimer:
    """Runs a query's statements again and again on one connection: p50 and p95 in ms."""

    def __init__(self, conn: asyncpg.Connection, tenant_id: int) -> None:
        self.conn = conn
        self.tenant_id = tenant_id

    @classmethod
    async def connect(cls, url: str, tenant_key: str) -> SqlTimer:
        conn = await asyncpg.connect(url)
        tenant_id = await conn.fetchval("SELECT id FROM tenants WHERE key = $1", tenant_key)
        return cls(conn, tenant_id)

    async def time(self, statements: Statements, rounds: int) -> tuple[float, float]:
        await statements(self.conn, self.tenant_id)
        took = []
        for _ in range(rounds):
            started = time.perf_counter()
            await statements(self.conn, self.tenant_id)
            took.append((time.perf_counter() - started) * 1000)
        cuts = statistics.quantiles(took, n=100)
        return cuts[49], cuts[94]

    async def close(self) -> None:
        await self.conn.close()
