"""recordPayment over HTTP at a million invoices: p50/p95/p99 and payments per second from N
concurrent connections, each request a new payment of another client (with its own idempotency
key), allocated to the client's open invoices oldest due first, or to one named open invoice.

The data is bench/api_latency.py's: N demo clients through the product's generator and import,
then monthly invoice history to the asked number of invoices. `ispbox serve` serves it. Every
request writes (payment, allocations, balances, audit record, idempotency key), so the figures
are of the write path under the one lock order. Not a test: nothing asserts, but every answer is
checked for errors and counted.

    .venv/bin/python -m bench.payments --invoices 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg
import httpx

from bench.api_latency import prepare
from bench.load import LatencyFigures, percentile
from bench.processes import api_server, new_queue_prefix, product_env
from bench.scratch import DEMO_TENANT, EDITOR_TOKEN, database_url, drop_database, scratch_name

RECORD = """mutation Record($input: RecordPaymentInput!) { recordPayment(input: $input) {
  payment { id unallocated allocations { amount } } errors { code message }
} }"""


@dataclass(frozen=True, slots=True)
class Target:
    client_id: int
    invoice_id: int


async def open_invoices(database: str, count: int) -> list[Target]:
    """Up to `count` open invoices of the demo tenant, each of a different client."""
    conn = await asyncpg.connect(database_url(database))
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT ON (i.client_id) i.client_id, i.id FROM invoices i"
            " JOIN tenants t ON t.id = i.tenant_id"
            " WHERE t.key = $1 AND i.status IN ('unpaid', 'partial') AND i.balance_cents > 0"
            " ORDER BY i.client_id, i.due_on LIMIT $2",
            DEMO_TENANT,
            count,
        )
    finally:
        await conn.close()
    return [Target(row["client_id"], row["id"]) for row in rows]


def payment_input(target: Target, named: bool) -> dict[str, object]:
    return {
        "clientId": str(target.client_id),
        "amount": "5.00",
        "receivedOn": "2026-11-20",
        "method": "BANK_TRANSFER",
        "reference": f"bench {uuid.uuid4().hex[:12]}",
        "invoiceIds": [str(target.invoice_id)] if named else None,
        "idempotencyKey": uuid.uuid4().hex,
    }


async def record_under_load(
    url: str, targets: list[Target], *, named: bool, connections: int, seconds: float
) -> LatencyFigures:
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    latencies: list[float] = []
    errors = 0
    turn = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors, turn
        async with httpx.AsyncClient(timeout=30) as http:
            while time.perf_counter() < deadline:
                target = targets[turn % len(targets)]
                turn += 1
                body = {"query": RECORD, "variables": {"input": payment_input(target, named)}}
                started = time.perf_counter()
                try:
                    response = await http.post(url, json=body, headers=headers)
                except httpx.TransportError:
                    # A connection the server dropped (its keep-alive timer on a starved
                    # machine): counted, and the next request opens another.
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                answer = response.json() if response.status_code == 200 else {}
                payload = (answer.get("data") or {}).get("recordPayment") or {}
                errors += bool(answer.get("errors") or payload.get("errors") or not payload)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return LatencyFigures(
        len(latencies),
        elapsed,
        percentile(latencies, 50) * 1000,
        percentile(latencies, 95) * 1000,
        percentile(latencies, 99) * 1000,
        errors,
        "httpx",
    )


async def invoice_count(database: str) -> int:
    conn = await asyncpg.connect(database_url(database))
    try:
        return await conn.fetchval("SELECT count(*) FROM invoices")
    finally:
        await conn.close()


def run_load(database: str, args: argparse.Namespace) -> None:
    env = product_env(database_url(database), new_queue_prefix())
    url = f"http://127.0.0.1:{args.port}/graphql"
    targets = asyncio.run(open_invoices(database, args.clients_paid))
    print(
        f"{asyncio.run(invoice_count(database)):,} invoices; paying {len(targets):,} clients "
        f"with open invoices in turn",
        flush=True,
    )
    with api_server(env, args.port, workers=args.api_workers, access_log=False):
        for named, label in ((False, "oldest open invoices first"), (True, "one named invoice")):
            asyncio.run(
                record_under_load(url, targets, named=named, connections=2, seconds=2)
            )  # warm-up
            figures = asyncio.run(
                record_under_load(
                    url, targets, named=named, connections=args.connections, seconds=args.seconds
                )
            )
            print(
                f"  recordPayment, {label:<27} p50 {figures.p50_ms:6.1f} ms  "
                f"p95 {figures.p95_ms:6.1f} ms  p99 {figures.p99_ms:6.1f} ms  "
                f"{figures.per_second:5.0f} payments/s  errors {figures.errors}",
                flush=True,
            )
    print(f"  load average after: {os.getloadavg()[0]:.2f} (1 min)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--clients-paid", type=int, default=5_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--api-workers", type=int, default=2, help="ispbox serve --workers")
    parser.add_argument("--port", type=int, default=8743)
    parser.add_argument(
        "--database",
        help="use this prepared database (kept) instead of building and dropping one",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it builds")
    args = parser.parse_args()
    print(
        f"cores: {os.cpu_count()}; API processes: {args.api_workers}; "
        f"{args.connections} connections, {args.seconds:g} s per case; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    database = args.database or scratch_name("payments")
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
