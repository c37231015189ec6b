"""How fast the run engine bills a large ISP on PostgreSQL, in one process, without a queue.

Creates a scratch database, imports N demo clients through the product's own generator and
importer, then bills one run chunk by chunk and prints the figures (with --review: as drafts,
then times the finalize). Not a test: nothing asserts.

    .venv/bin/python bench/run_engine.py --clients 100000 [--review]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import date

import asyncpg

from billing.demo_data import demo_document
from billing.importer import import_document
from billing.review import finalize_invoice_run
from billing.run_engine import bill_chunk, open_run
from billing.runs import start_invoice_run
from orm.db import close_database, migrate_database, open_database
from orm.models import InvoiceLine, InvoiceRun, Tenant

ADMIN_URL = os.environ.get("ISPBOX_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


async def scratch_database() -> str:
    name = f"ispbox_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{ADMIN_URL}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return name


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(f"{ADMIN_URL}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def bench(
    clients: int, chunk_size: int, data_date: date, billing_date: date, review: bool
) -> None:
    name = await scratch_database()
    url = f"{ADMIN_URL}/{name}"
    try:
        await migrate_database(url)
        await open_database(url)
        started = time.perf_counter()
        document = demo_document(clients, today=data_date)
        await import_document(document)
        print(f"import of {clients:,} clients: {time.perf_counter() - started:.1f} s")

        tenant = await Tenant.get(key="northwind")
        run = await start_invoice_run(
            tenant, user_id=None, billing_date=billing_date, client_id=None, review=review
        )
        started = time.perf_counter()
        for chunk_id in await open_run(run.id, chunk_size):
            await bill_chunk(chunk_id)
        elapsed = time.perf_counter() - started
        run = await InvoiceRun.get(id=run.id)
        lines = await InvoiceLine.filter(invoice__run_id=run.id).count()
        print(f"cores: {os.cpu_count()}, chunk size: {chunk_size}")
        print(
            f"run {run.status.value}: {run.clients_processed:,} clients, "
            f"{run.invoices_issued:,} invoices, {lines:,} lines, errors {run.errors_count}"
        )
        print(f"billing time: {elapsed:.1f} s = {run.invoices_issued / elapsed:,.0f} invoices/s")
        if review:
            started = time.perf_counter()
            await finalize_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id)
            elapsed = time.perf_counter() - started
            print(f"finalize of {run.invoices_issued:,} drafts: {elapsed:.1f} s")
    finally:
        await close_database()
        await drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument(
        "--data-date",
        type=date.fromisoformat,
        default=date(2026, 11, 1),
        help="the 'today' the demo data is generated around",
    )
    parser.add_argument("--billing-date", type=date.fromisoformat, default=date(2027, 6, 1))
    parser.add_argument("--review", action="store_true", help="draft, then time the finalize")
    args = parser.parse_args()
    asyncio.run(
        bench(args.clients, args.chunk_size, args.data_date, args.billing_date, args.review)
    )


if __name__ == "__main__":
    main()
