"""How fast the run engine bills a large ISP on PostgreSQL, in one process, without a queue.

Creates a scratch database, imports N demo clients through the product's own generator and
importer, then bills one run chunk by chunk and prints the figures (with --review: as drafts,
then times the finalize). Not a test: nothing asserts.

    .venv/bin/python -m bench.run_engine --clients 100000 [--review] \
        [--tax-rate 20 [--prices-include-tax]]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import date
from decimal import Decimal

from bench.scratch import (
    add_data_date_argument,
    create_database,
    database_url,
    demo_database,
    drop_database,
    scratch_name,
)
from billing.runs.engine import bill_chunk, open_run
from billing.runs.planning import start_invoice_run
from billing.runs.review import finalize_invoice_run
from orm.db import close_database, open_database
from orm.models import InvoiceLine, InvoiceRun, Tenant


async def bench(
    clients: int,
    chunk_size: int,
    data_date: date,
    billing_date: date,
    review: bool,
    tax_rate: Decimal | None,
    prices_include_tax: bool,
    template: str | None = None,
) -> None:
    name = scratch_name("engine")
    try:
        if template:
            await create_database(name, template)
            print(f"data: a copy of {template}")
        else:
            seconds = await demo_database(name, clients, data_date)
            print(f"import of {clients:,} clients: {seconds:.1f} s")
        await open_database(database_url(name))

        await Tenant.filter(key="northwind").update(
            default_tax_rate=tax_rate, prices_include_tax=prices_include_tax
        )
        tenant = await Tenant.get(key="northwind")
        # The run is started as on its billing date: a catch-up date months ahead of the
        # machine's clock would otherwise be refused as too far in the future.
        run = await start_invoice_run(
            tenant,
            user_id=None,
            billing_date=billing_date,
            client_id=None,
            review=review,
            today=billing_date,
        )
        load = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        for chunk_id in await open_run(run.id, chunk_size):
            await bill_chunk(chunk_id)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        run = await InvoiceRun.get(id=run.id)
        lines = await InvoiceLine.filter(invoice__run_id=run.id).count()
        print(f"cores: {os.cpu_count()}, chunk size: {chunk_size}")
        print(
            f"run {run.status.value}: {run.clients_processed:,} clients, "
            f"{run.invoices_issued:,} invoices, {lines:,} lines, errors {run.errors_count}"
        )
        print(
            f"billing time: {elapsed:.1f} s = {run.invoices_issued / elapsed:,.0f} invoices/s; "
            f"this process's CPU {cpu:.2f} s (load average at the start {load:.2f})"
        )
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
    add_data_date_argument(parser)
    parser.add_argument("--billing-date", type=date.fromisoformat, default=date(2027, 6, 1))
    parser.add_argument("--review", action="store_true", help="draft, then time the finalize")
    parser.add_argument(
        "--tax-rate", type=Decimal, default=None, help="the tenant's default tax rate, a percent"
    )
    parser.add_argument("--prices-include-tax", action="store_true")
    parser.add_argument("--template", help="copy this prepared database (bench.prepare; kept)")
    args = parser.parse_args()
    asyncio.run(
        bench(
            args.clients,
            args.chunk_size,
            args.data_date,
            args.billing_date,
            args.review,
            args.tax_rate,
            args.prices_include_tax,
            args.template,
        )
    )


if __name__ == "__main__":
    main()
