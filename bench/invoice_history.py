"""Years of invoice history for a tenant, written fast: derived from its imported clients and
their first service, one invoice a month per client (a tenth with a late fee line), most paid,
written with COPY in batches. Numbers continue the tenant's sequence, which is raised to match."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import asyncpg

from bench.scratch import database_url
from billing.periods import add_months

BATCH = 50_000
# The history ends before the demo data's own history begins.
LAST_MONTH = date(2023, 12, 1)
LATE_FEE_CENTS = 1000
INVOICE_COLUMNS = (
    "id", "tenant_id", "client_id", "number", "status", "issued_on", "due_on", "grace_until",
    "period_start", "period_end", "currency", "subtotal_cents", "tax_cents", "credited_cents",
    "total_cents", "balance_cents", "auto_email", "emailed_at", "voided_at", "void_reason",
    "created_at",
)  # fmt: skip
LINE_COLUMNS = (
    "tenant_id", "invoice_id", "position", "kind", "description", "quantity", "unit_price_cents",
    "amount_cents", "period_start", "period_end", "service_id", "live",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BilledClient:
    client_id: int
    service_id: int
    description: str
    price_cents: int


async def _billed_clients(conn: asyncpg.Connection, tenant_id: int) -> list[BilledClient]:
    rows = await conn.fetch(
        "SELECT DISTINCT ON (s.client_id) s.client_id, s.id, s.description, s.price_cents "
        "FROM services s WHERE s.tenant_id = $1 ORDER BY s.client_id, s.id",
        tenant_id,
    )
    return [BilledClient(r[0], r[1], r[2], r[3]) for r in rows]


def _settlement(rng: random.Random, total: int) -> tuple[str, int]:
    """Status and balance: most history is paid."""
    draw = rng.random()
    if draw < 0.02:
        return "void", 0
    if draw < 0.07:
        return "unpaid", total
    if draw < 0.10:
        return "partial", total - total * rng.randint(20, 80) // 100
    return "paid", 0


def _history_rows(
    tenant_id: int,
    currency: str,
    prefix: str,
    clients: list[BilledClient],
    months: int,
    first_id: int,
    first_sequence: int,
    billed: set[tuple[int, date]],
) -> Iterator[tuple[tuple[object, ...], list[tuple[object, ...]]]]:
    """(invoice row, its line rows) month by month, newest month last. A period the demo's own
    history already bills (a schedule far behind) gets a line without its service."""
    rng = random.Random(11)
    invoice_id, sequence = first_id, first_sequence
    created = datetime.now(UTC)
    for month in range(months - 1, -1, -1):
        start = add_months(LAST_MONTH, -month, 1)
        end = add_months(start, 1, 1) - timedelta(days=1)
        due = start + timedelta(days=14)
        label = f"({start.isoformat()} – {end.isoformat()})"
        emailed = datetime.combine(start, clock(14, 5), UTC)
        for client in clients:
            lines = [
                (
                    tenant_id, invoice_id, 0, "service", f"{client.description} {label}",
                    Decimal(1), client.price_cents, client.price_cents, start, end,
                    None if (client.service_id, start) in billed else client.service_id,
                )
            ]  # fmt: skip
            if rng.random() < 0.1:
                lines.append(
                    (
                        tenant_id, invoice_id, 1, "one_time_charge", "Late fee", Decimal(1),
                        LATE_FEE_CENTS, LATE_FEE_CENTS, None, None, None,
                    )
                )  # fmt: skip
            total = sum(line[7] for line in lines)
            status, balance = _settlement(rng, total)
            void = status == "void"
            invoice = (
                invoice_id, tenant_id, client.client_id, f"{prefix}{sequence:06d}", status, start,
                due, due + timedelta(days=7), start, end, currency, total, 0, 0, total, balance,
                True,
                emailed if rng.random() < 0.9 else None, emailed if void else None,
                "Billed twice by mistake." if void else None, created,
            )  # fmt: skip
            yield invoice, [(*line, not void) for line in lines]
            invoice_id += 1
            sequence += 1


async def add_invoice_history(database: str, tenant_key: str, invoices: int) -> float:
    """Add history until the tenant has `invoices` invoices; returns the seconds it took."""
    started = time.perf_counter()
    conn = await asyncpg.connect(database_url(database))
    try:
        tenant = await conn.fetchrow(
            "SELECT id, currency, invoice_number_prefix, invoice_sequence FROM tenants "
            "WHERE key = $1",
            tenant_key,
        )
        have = await conn.fetchval("SELECT count(*) FROM invoices WHERE tenant_id = $1", tenant[0])
        clients = await _billed_clients(conn, tenant[0])
        missing = max(0, invoices - have)
        months = -(-missing // len(clients))
        first_id = await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM invoices")
        billed = {
            (row[0], row[1])
            for row in await conn.fetch(
                "SELECT service_id, period_start FROM invoice_lines WHERE tenant_id = $1 "
                "AND live AND service_id IS NOT NULL",
                tenant[0],
            )
        }
        rows = _history_rows(
            tenant[0], tenant[1], tenant[2], clients, months, first_id, tenant[3] + 1, billed
        )
        written = 0
        while written < missing:
            batch = list(itertools.islice(rows, min(BATCH, missing - written)))
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "invoices", records=[invoice for invoice, _ in batch], columns=INVOICE_COLUMNS
                )
                await conn.copy_records_to_table(
                    "invoice_lines",
                    records=[line for _, lines in batch for line in lines],
                    columns=LINE_COLUMNS,
                )
            written += len(batch)
        await conn.execute(
            "UPDATE tenants SET invoice_sequence = invoice_sequence + $1 WHERE id = $2",
            written,
            tenant[0],
        )
        await conn.execute("SELECT setval('invoices_id_seq', (SELECT max(id) FROM invoices))")
    finally:
        await conn.close()
    return time.perf_counter() - started
