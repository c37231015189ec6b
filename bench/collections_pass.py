"""How long the daily collections pass takes for a large ISP on PostgreSQL: one process, as one
worker does it, no queue.

Creates a scratch database with one tenant of N clients (reminders on days 1, 7 and 14 after the
due date, a late fee, blocking after grace), each with an invoice: a share of them past due by 1
to 60 days (so some in grace, some past it, some reminded before), the rest not due yet or paid.
Then times the day's pass, chunk by chunk, and the next day's (what is left to do once the first
has done its work). Reminders are claimed by the pass and emailed by the email jobs afterwards:
the emails are not in these figures. Not a test: nothing asserts.

    .venv/bin/python -m bench.collections_pass --clients 100000 --overdue-share 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

from tortoise.transactions import in_transaction

from bench.scratch import create_database, database_url, drop_database, scratch_name
from billing.collections.pass_chunk import work_collections_chunk
from billing.collections.pass_open import open_collections_pass
from orm.bulk import insert_rows
from orm.db import close_database, migrate_database, open_database
from orm.models import AuditEvent, Charge, Client, CollectionsPass, InvoiceReminder, Tenant

TODAY = date(2026, 11, 30)
GRACE_DAYS = 7


async def fill(clients: int, overdue_share: float, seed: int) -> Tenant:
    tenant = await Tenant.create(
        key="bench",
        name="Bench Fiber",
        currency="EUR",
        reminder_days=[1, 7, 14],
        late_fee_cents=500,
        block_after_grace=True,
    )
    rng = random.Random(seed)
    async with in_transaction() as conn:
        await insert_rows(
            conn,
            "clients",
            ("tenant_id", "key", "name", "email", "status", "blocked"),
            [
                (tenant.id, f"c{n:07}", f"Client {n:07}", f"c{n}@example.test", "active", False)
                for n in range(clients)
            ],
        )
    client_ids = sorted(await Client.filter(tenant_id=tenant.id).values_list("id", flat=True))
    rows = []
    now = datetime.now(UTC)
    for n, client_id in enumerate(client_ids):
        overdue = rng.random() < overdue_share
        due = (
            TODAY - timedelta(days=rng.randint(1, 60))
            if overdue
            else TODAY + timedelta(days=rng.randint(0, 20))
        )
        paid = not overdue and rng.random() < 0.5
        total = rng.randint(1_000, 20_000)
        rows.append(
            (
                tenant.id,
                client_id,
                f"INV-{n:07}",
                "paid" if paid else "unpaid",
                due - timedelta(days=14),
                due,
                due + timedelta(days=GRACE_DAYS),
                "EUR",
                total,
                0 if paid else total,
                total,
                False,
                now,
            )
        )
    async with in_transaction() as conn:
        await insert_rows(
            conn,
            "invoices",
            (
                "tenant_id",
                "client_id",
                "number",
                "status",
                "issued_on",
                "due_on",
                "grace_until",
                "currency",
                "total_cents",
                "balance_cents",
                "subtotal_cents",
                "auto_email",
                "created_at",
            ),
            rows,
        )
    return tenant


async def timed_pass(tenant: Tenant, day: date, chunk_size: int) -> float:
    started = time.perf_counter()
    collections_pass = await CollectionsPass.create(tenant_id=tenant.id, day=day)
    chunk_ids = await open_collections_pass(collections_pass.id, chunk_size)
    for chunk_id in chunk_ids:
        await work_collections_chunk(chunk_id)
    elapsed = time.perf_counter() - started
    counts = {
        "chunks": len(chunk_ids),
        "reminders claimed": await InvoiceReminder.all().count(),
        "late fees": await Charge.all().count(),
        "blocked": await Client.filter(blocked=True).count(),
        "overdue": await Client.filter(status="overdue").count(),
        "audit records": await AuditEvent.all().count(),
    }
    print(f"pass of {day}: {elapsed:.1f} s; totals after it: {counts}", flush=True)
    return elapsed


async def bench(clients: int, overdue_share: float, chunk_size: int, seed: int) -> None:
    name = scratch_name("collections")
    await create_database(name)
    try:
        url = database_url(name)
        await migrate_database(url)
        await open_database(url)
        started = time.perf_counter()
        tenant = await fill(clients, overdue_share, seed)
        print(f"data: {clients:,} clients and invoices in {time.perf_counter() - started:.0f} s")
        conn = Tenant._meta.db
        await conn.execute_script("VACUUM ANALYZE")
        print(f"cores: {os.cpu_count()}, chunk size: {chunk_size}, load: {os.getloadavg()}")
        await timed_pass(tenant, TODAY, chunk_size)
        await timed_pass(tenant, TODAY + timedelta(days=1), chunk_size)
    finally:
        await close_database()
        await drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--overdue-share", type=float, default=0.2)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(bench(args.clients, args.overdue_share, args.chunk_size, args.seed))


if __name__ == "__main__":
    main()
