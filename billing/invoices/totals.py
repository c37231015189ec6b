"""A tenant's invoice totals per status, as the database triggers keep them (migration 0003):
reading them, and folding the rows PostgreSQL's triggers append into one row per status.

Read on every overview request: hand-written SQL, without the query builder's cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from billing.invoices.lifecycle import InvoiceStatus
from orm.db import connection, placeholders
from orm.dialect import writers_run_concurrently

# More rows than this for a tenant and the read that sees them folds them (a run appends a few
# per chunk, an import one per statement).
FOLD_ABOVE_ROWS = 200


@dataclass(frozen=True, slots=True)
class StatusTotals:
    status: InvoiceStatus
    count: int
    total_cents: int
    balance_cents: int
    outstanding_cents: int


async def totals_by_status(tenant_id: int) -> list[StatusTotals]:
    """Count, total, balance and positive balance per status, one row for every status in its
    declared order (zeros where a status has no invoice)."""
    conn = connection()
    [mark] = placeholders(conn, 1)
    rows = await conn.execute_query_dict(
        "SELECT status, sum(invoice_count) AS invoices, sum(total_cents) AS total, "
        "sum(balance_cents) AS balance, sum(outstanding_cents) AS outstanding, "
        f"count(*) AS pieces FROM invoice_status_totals WHERE tenant_id = {mark} GROUP BY status",
        [tenant_id],
    )
    # SUM over BIGINT is NUMERIC on PostgreSQL: int() makes it plain.
    found = {
        InvoiceStatus(row["status"]): StatusTotals(
            status=InvoiceStatus(row["status"]),
            count=int(row["invoices"]),
            total_cents=int(row["total"]),
            balance_cents=int(row["balance"]),
            outstanding_cents=int(row["outstanding"]),
        )
        for row in rows
    }
    if sum(int(row["pieces"]) for row in rows) > FOLD_ABOVE_ROWS:
        await fold_invoice_totals(tenant_id)
    return [found.get(status) or StatusTotals(status, 0, 0, 0, 0) for status in InvoiceStatus]


async def invoice_count(tenant_id: int, statuses: Sequence[InvoiceStatus] | None = None) -> int:
    """How many invoices the tenant has (in any of `statuses` where given)."""
    conn = connection()
    marks = placeholders(conn, 1 + len(statuses or ()))
    where = f"tenant_id = {marks[0]}"
    if statuses:
        where += f" AND status IN ({', '.join(marks[1:])})"
    rows = await conn.execute_query_dict(
        "SELECT sum(invoice_count) AS invoices, count(*) AS pieces FROM invoice_status_totals "
        f"WHERE {where}",
        [tenant_id, *(str(status) for status in statuses or ())],
    )
    if int(rows[0]["pieces"]) > FOLD_ABOVE_ROWS:
        await fold_invoice_totals(tenant_id)
    return int(rows[0]["invoices"] or 0)


async def fold_invoice_totals(tenant_id: int) -> None:
    """Replace the tenant's rows by one per status, their sums. Safe beside writers and other
    folds: a row another transaction has not committed is not seen, one it folded is skipped."""
    async with in_transaction() as conn:
        if not writers_run_concurrently(conn):
            return  # one writer at a time: the triggers keep one row per status
        await conn.execute_query(
            "WITH folded AS (DELETE FROM invoice_status_totals WHERE tenant_id = $1 "
            "RETURNING status, invoice_count, total_cents, balance_cents, outstanding_cents) "
            "INSERT INTO invoice_status_totals (tenant_id, status, invoice_count, total_cents, "
            "balance_cents, outstanding_cents) "
            "SELECT $1, status, sum(invoice_count), sum(total_cents), sum(balance_cents), "
            "sum(outstanding_cents) FROM folded GROUP BY status",
            [tenant_id],
        )
