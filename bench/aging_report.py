"""agingReport at a million invoices: the API's answer under load from concurrent HTTP clients,
against its GROUP BY over the owed totals per due date timed in plain SQL.

The data is the API latency benchmark's (bench/api_latency.py): N demo clients through the
product's generator and import, then monthly invoice history written with COPY until the tenant
has the asked number of invoices (most paid, some unpaid or partly paid, across years of due
dates). `ispbox serve` serves it; wrk (or httpx) loads it. Not a test: nothing asserts.

    .venv/bin/python -m bench.aging_report --invoices 1000000
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
from bench.overview_charts import UNLIMITED
from bench.processes import api_server, new_queue_prefix, product_env
from bench.scratch import DEMO_TENANT, database_url, drop_database, scratch_name
from billing.collections.aging import aging_case_sql, aging_cutoffs

AGING = """query Aging { agingReport {
  asOf currency total buckets { label fromDays toDays count balance }
} }"""


async def sql_timing(database: str, as_of: date, rounds: int) -> tuple[float, float, int, int]:
    """p50 and p95 in ms of the report's statement alone, the due dates it buckets and the owed
    invoices they hold."""
    conn = await asyncpg.connect(database_url(database))
    try:
        tenant_id = await conn.fetchval("SELECT id FROM tenants WHERE key = $1", DEMO_TENANT)
        cutoffs = aging_cutoffs(as_of)
        marks = [f"${n}" for n in range(2, 2 + len(cutoffs))]
        statement = (
            f"SELECT {aging_case_sql('due_on', marks)} AS bucket, SUM(invoice_count), "
            "SUM(balance_cents) FROM invoice_due_totals WHERE tenant_id = $1 GROUP BY 1"
        )
        due_dates = await conn.fetchval(
            "SELECT count(*) FROM invoice_due_totals WHERE tenant_id = $1", tenant_id
        )
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            rows = await conn.fetch(statement, tenant_id, *cutoffs)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        owed = sum(r[1] for r in rows)
        return percentile(timings, 0.50), percentile(timings, 0.95), due_dates, owed
    finally:
        await conn.close()


def run_load(database: str, args: argparse.Namespace) -> None:
    # The latency of the report is measured here, not the limiter's refusals.
    env = product_env(
        database_url(database),
        new_queue_prefix(),
        rate_limit_per_token=UNLIMITED,
        rate_limit_per_address=UNLIMITED,
    )
    url = f"http://127.0.0.1:{args.port}/graphql"
    body = graphql_body(AGING)
    with api_server(env, args.port, workers=args.api_workers, access_log=False):
        answer = check_answer(url, ANALYST_TOKEN, body)["agingReport"]
        as_of = date.fromisoformat(answer["asOf"])
        sql_p50, sql_p95, rows, owed = asyncio.run(sql_timing(database, as_of, args.sql_rounds))
        print(f"{owed:,} owed invoices in {rows:,} rows of invoice_due_totals")
        print(f"buckets: {answer['buckets']}")
        for attempt in range(1, args.repeat + 1):
            measure(url, ANALYST_TOKEN, body, connections=args.connections, seconds=2)
            figures = measure(
                url, ANALYST_TOKEN, body, connections=args.connections, seconds=args.seconds
            )
            print(
                f"measurement {attempt}: {args.connections} connections, {args.seconds:g} s: "
                f"p50 {figures.p50_ms:.1f} ms  p95 {figures.p95_ms:.1f} ms  "
                f"p99 {figures.p99_ms:.1f} ms  {figures.per_second:.0f} req/s  "
                f"errors {figures.errors} | plain SQL p50 {sql_p50:.1f} ms p95 {sql_p95:.1f} ms"
                f"  (load generator: {figures.tool})",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--api-workers", type=int, default=2, help="ispbox serve --workers")
    parser.add_argument("--sql-rounds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--port", type=int, default=8743)
    parser.add_argument(
        "--database", help="use this prepared database (kept) instead of building one"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it builds")
    args = parser.parse_args()
    print(
        f"cores: {os.cpu_count()}; API processes: {args.api_workers}; "
        f"{args.invoices:,} invoices over {args.clients:,} clients"
    )
    database = args.database or scratch_name("aging")
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
