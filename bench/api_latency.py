"""API latency at a million invoices: the overview page, a live search, the KPI cards and one
invoice with its lines, each under load from concurrent HTTP clients, against the same
statements timed in plain SQL.

The data: N demo clients through the product's generator and import, then years of monthly
invoice history derived from them written with COPY (bench/invoice_history.py) until the tenant
has the asked number of invoices. `ispbox serve` serves it; wrk (or httpx) loads it. Not a test:
nothing asserts.

    .venv/bin/python -m bench.api_latency --invoices 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import dataclass
from datetime import date

import asyncpg

from bench.invoice_history import add_invoice_history
from bench.load import LatencyFigures, check_answer, graphql_body, measure
from bench.processes import api_server, new_queue_prefix, product_env
from bench.scratch import (
    DEMO_TENANT,
    database_url,
    demo_database,
    drop_database,
    scratch_name,
    vacuum_analyze,
)
from bench.sql_equivalents import SqlTimer, sql_statements

ANALYST_TOKEN = "demo-analyst-token-northwind"
OVERVIEW = """query Overview($filter: InvoiceFilter) {
  invoices(filter: $filter, first: 50) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number issuedOn dueOn total balance status client { id name } } }
  }
}"""
KPIS = """query Kpis { invoiceKpis {
  totalInvoices outstandingBalance paidInvoices currency byStatus { status count total balance }
} }"""
INVOICE = """query Invoice($id: ID!) { invoice(id: $id) {
  id number issuedOn dueOn total balance status client { id name }
  lines { kind description quantity unitPrice amount periodStart periodEnd }
} }"""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    body: str
    sql: str


def cases(url: str, search: str) -> list[Case]:
    overview = graphql_body(OVERVIEW)
    searching = {"filter": {"search": search}}
    newest = check_answer(url, ANALYST_TOKEN, overview)["invoices"]["edges"][0]["node"]["id"]
    return [
        Case("overview page", overview, "overview"),
        Case(f"search {search!r}", graphql_body(OVERVIEW, searching), "search"),
        Case("KPI cards", graphql_body(KPIS), "kpis"),
        Case("invoice with lines", graphql_body(INVOICE, {"id": newest}), "invoice"),
    ]


def report(case: Case, figures: LatencyFigures, sql_ms: tuple[float, float]) -> None:
    print(
        f"  {case.name:<22} p50 {figures.p50_ms:6.1f} ms  p95 {figures.p95_ms:6.1f} ms  "
        f"p99 {figures.p99_ms:6.1f} ms  {figures.per_second:6.0f} req/s  errors {figures.errors}"
        f"  | plain SQL p50 {sql_ms[0]:5.1f} ms p95 {sql_ms[1]:5.1f} ms"
        f"  | API/SQL p50 {figures.p50_ms / sql_ms[0]:4.1f}x",
        flush=True,
    )


async def prepare(database: str, clients: int, invoices: int, data_date: date) -> None:
    started = time.perf_counter()
    await demo_database(database, clients, data_date)
    imported = time.perf_counter() - started
    history = await add_invoice_history(database, DEMO_TENANT, invoices)
    await vacuum_analyze(database)
    conn = await asyncpg.connect(database_url(database))
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM invoices i JOIN tenants t ON t.id = i.tenant_id WHERE t.key = $1",
            DEMO_TENANT,
        )
    finally:
        await conn.close()
    print(
        f"data: {clients:,} clients imported in {imported:.0f} s, history to {count:,} invoices "
        f"in {history:.0f} s (+ VACUUM ANALYZE: {time.perf_counter() - started:.0f} s in all)",
        flush=True,
    )


async def sql_timings(database: str, search: str, invoice_id: int, rounds: int) -> dict:
    timer = await SqlTimer.connect(database_url(database), DEMO_TENANT)
    try:
        return {
            name: await timer.time(statements, rounds)
            for name, statements in sql_statements(search, invoice_id).items()
        }
    finally:
        await timer.close()


def run_load(database: str, args: argparse.Namespace) -> None:
    env = product_env(database_url(database), new_queue_prefix())
    url = f"http://127.0.0.1:{args.port}/graphql"
    with api_server(env, args.port, workers=args.api_workers, access_log=False):
        measured = cases(url, args.search)
        invoice_id = int(check_answer(url, ANALYST_TOKEN, measured[-1].body)["invoice"]["id"])
        sql = asyncio.run(sql_timings(database, args.search, invoice_id, args.sql_rounds))
        for attempt in range(1, args.repeat + 1):
            print(f"measurement {attempt}: {args.connections} connections, {args.seconds:g} s each")
            for case in measured:
                check_answer(url, ANALYST_TOKEN, case.body)
                measure(url, ANALYST_TOKEN, case.body, connections=args.connections, seconds=2)
                figures = measure(
                    url,
                    ANALYST_TOKEN,
                    case.body,
                    connections=args.connections,
                    seconds=args.seconds,
                )
                report(case, figures, sql[case.sql])
        print(f"  (load generator: {figures.tool})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--api-workers", type=int, default=2, help="ispbox serve --workers")
    parser.add_argument("--search", default="smi", help="what the live search types")
    parser.add_argument("--sql-rounds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument(
        "--database",
        help="use this prepared database (kept) instead of building and dropping one",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it builds")
    args = parser.parse_args()
    print(
        f"cores: {os.cpu_count()}; API processes: {args.api_workers}; "
        f"{args.invoices:,} invoices over {args.clients:,} clients"
    )
    database = args.database or scratch_name("api")
    try:
        if not args.database:
            asyncio.run(prepare(database, args.clients, args.invoices, date(2026, 11, 1)))
        run_load(database, args)
    finally:
        if not args.database and not args.keep:
            asyncio.run(drop_database(database))
        elif not args.database:
            print(f"kept database {database}")


if __name__ == "__main__":
    main()
