"""The overview's charts and the invoice list's sort orders at a million invoices: invoiceTrends
(invoiced and collected per month for 12 months, with this month's change), the status mix
(invoiceKpis.byStatus) and the first page of the list under each sort order and the overdue
filter, each loaded through the API.

The data: the api_latency bench's (N demo clients, monthly invoice history by COPY up to the
asked number of invoices), plus one payment per invoice that has been paid in whole or in part,
dated on its due date, so the collected series has a million-row table to sum. Not a test:
nothing asserts.

    .venv/bin/python -m bench.overview_charts --invoices 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import date

import asyncpg

from bench.api_latency import ANALYST_TOKEN, prepare
from bench.load import check_answer, graphql_body, measure, percentile
from bench.processes import api_server, new_queue_prefix, product_env
from bench.scratch import DEMO_TENANT, database_url, drop_database, scratch_name, vacuum_analyze
from billing.invoices.trends import monthly_trends
from billing.tokens import hash_token
from ispbox.config import get_settings
from orm.db import close_database, open_database
from orm.models import Tenant

TRENDS = """query Trends { invoiceTrends(months: 12) {
  currency invoicedChange collectedChange invoiceCountChange
  months { month invoiced invoiceCount collected paymentCount }
} }"""
STATUS_MIX = "query StatusMix { invoiceKpis { currency byStatus { status count total balance } } }"
PAGE = """query Page($sort: InvoiceSort, $filter: InvoiceFilter) {
  invoices(first: 50, sort: $sort, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number issuedOn dueOn daysOverdue total balance status client { name } } }
  }
}"""
SORTS = ["NUMBER", "CLIENT", "DUE", "TOTAL", "BALANCE"]
UNLIMITED = "1000000/minute"
# Where the history's last month ends (bench/invoice_history.py): twelve full months before it.
DENSE_TODAY = date(2023, 12, 20)


async def add_payments(database: str) -> int:
    """One payment (dated on the due date) for each invoice paid in whole or in part that has
    none allocated: the history's invoices, which come without payments. How many payments the
    tenant then has."""
    conn = await asyncpg.connect(database_url(database))
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenants WHERE key = $1", DEMO_TENANT)
        await conn.execute(
            "INSERT INTO payments (tenant_id, client_id, amount_cents, currency, paid_on, "
            "method, created_at) SELECT i.tenant_id, i.client_id, i.total_cents - i.balance_cents, "
            "i.currency, i.due_on, 'history', now() FROM invoices i WHERE i.tenant_id = $1 "
            "AND i.status IN ('paid', 'partial') AND i.total_cents > i.balance_cents "
            "AND NOT EXISTS (SELECT 1 FROM payment_allocations a WHERE a.invoice_id = i.id) "
            "AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.tenant_id = i.tenant_id "
            "AND p.method = 'history' LIMIT 1)",
            tenant_id,
        )
        return await conn.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant_id)
    finally:
        await conn.close()


async def sign_analyst_in(database: str) -> None:
    """The analyst's token hashed with this process's key (a database prepared by another
    process holds the hash of that one's key)."""
    conn = await asyncpg.connect(database_url(database))
    try:
        await conn.execute(
            "UPDATE users SET token_hash = $1 WHERE key = 'analyst' AND tenant_id = "
            "(SELECT id FROM tenants WHERE key = $2)",
            hash_token(ANALYST_TOKEN, get_settings().signing_key),
            DEMO_TENANT,
        )
    finally:
        await conn.close()


async def dense_window_timings(database: str, rounds: int) -> tuple[float, float, int]:
    """The monthly figures' statements timed in this process (no HTTP) where the twelve months
    are full: ending with the history's last month, when every client has an invoice and a
    payment each month. p50 and p95 in ms, and the invoices the window holds."""
    await open_database(database_url(database))
    try:
        tenant = await Tenant.get(key=DEMO_TENANT)
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            trends = await monthly_trends(tenant.id, DENSE_TODAY, 12)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await close_database()
    timings.sort()
    invoices = sum(month.invoice_count for month in trends.months)
    return percentile(timings, 50), percentile(timings, 95), invoices


def cases() -> list[tuple[str, str]]:
    measured = [("invoiceTrends 12 months", graphql_body(TRENDS))]
    measured.append(("status mix (invoiceKpis)", graphql_body(STATUS_MIX)))
    for field in SORTS:
        for direction in ("ASC", "DESC"):
            sort = {"field": field, "direction": direction}
            measured.append((f"list by {field} {direction}", graphql_body(PAGE, {"sort": sort})))
    overdue = {"filter": {"overdueOnly": True}, "sort": {"field": "DUE", "direction": "ASC"}}
    measured.append(("list overdue by due", graphql_body(PAGE, overdue)))
    return measured


def run_load(database: str, args: argparse.Namespace) -> None:
    # The latency of each query is measured here, not the limiter's refusals.
    env = product_env(
        database_url(database),
        new_queue_prefix(),
        rate_limit_per_token=UNLIMITED,
        rate_limit_per_address=UNLIMITED,
    )
    url = f"http://127.0.0.1:{args.port}/graphql"
    with api_server(env, args.port, workers=args.api_workers, access_log=False):
        print(f"{args.connections} connections, {args.seconds:g} s each after a 2 s warm-up")
        for name, body in cases():
            check_answer(url, ANALYST_TOKEN, body)
            measure(url, ANALYST_TOKEN, body, connections=args.connections, seconds=2)
            figures = measure(
                url, ANALYST_TOKEN, body, connections=args.connections, seconds=args.seconds
            )
            print(
                f"  {name:<26} p50 {figures.p50_ms:6.1f} ms  p95 {figures.p95_ms:6.1f} ms  "
                f"p99 {figures.p99_ms:6.1f} ms  {figures.per_second:6.0f} req/s  "
                f"errors {figures.errors}",
                flush=True,
            )
        print(f"  (load generator: {figures.tool})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--api-workers", type=int, default=2, help="ispbox serve --workers")
    parser.add_argument("--port", type=int, default=8743)
    parser.add_argument("--rounds", type=int, default=50, help="in-process timings")
    parser.add_argument(
        "--database", help="use this prepared database (kept) instead of building and dropping one"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it builds")
    args = parser.parse_args()
    print(
        f"cores: {os.cpu_count()}; API processes: {args.api_workers}; "
        f"{args.invoices:,} invoices over {args.clients:,} clients"
    )
    database = args.database or scratch_name("overview")
    try:
        if not args.database:
            asyncio.run(prepare(database, args.clients, args.invoices, date(2026, 11, 1)))
        payments = asyncio.run(add_payments(database))
        asyncio.run(sign_analyst_in(database))
        asyncio.run(vacuum_analyze(database))
        print(f"payments: {payments:,}")
        p50, p95, invoices = asyncio.run(dense_window_timings(database, args.rounds))
        print(
            f"monthly figures, 12 full months ({invoices:,} invoices), in process: "
            f"p50 {p50:.1f} ms  p95 {p95:.1f} ms"
        )
        run_load(database, args)
    finally:
        if not args.database and not args.keep:
            asyncio.run(drop_database(database))
        elif not args.database:
            print(f"kept database {database}")


if __name__ == "__main__":
    main()
