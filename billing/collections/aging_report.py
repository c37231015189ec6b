"""The aging report: the tenant's open balances by days past due, computed in the database.

One GROUP BY over the tenant's owed invoices per due date (`invoice_due_totals`, kept by
triggers on the invoices, migration 0014), bucketed by `aging_case_sql` (the same table of
buckets the pure `aging_totals` uses), as of the tenant's today: a few hundred due dates, not
every owed invoice. `fold_due_totals` folds the rows PostgreSQL's triggers append.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from billing.collections.aging import (
    AGING_BUCKETS,
    AgingTotal,
    aging_case_sql,
    aging_cutoffs,
)
from billing.dates import today_in
from orm.bulk import insert_rows
from orm.db import connection, placeholders, sql_date
from orm.models import Tenant


@dataclass(frozen=True, slots=True)
class AgingReport:
    as_of: date
    currency: str
    buckets: tuple[AgingTotal, ...]

    @property
    def total(self) -> int:
        """The open balances of every bucket, in minor units."""
        return sum(bucket.balance for bucket in self.buckets)


async def aging_report(tenant: Tenant, as_of: date | None = None) -> AgingReport:
    """Count and balance per bucket of the tenant's owed invoices, zeros included; `as_of`
    None: the tenant's today."""
    day = as_of or today_in(tenant.timezone)
    conn = connection()
    cutoffs = aging_cutoffs(day)
    # In the order the statement names them: `?` markers on SQLite are positional.
    marks = placeholders(conn, len(cutoffs) + 1)
    bucket = aging_case_sql("due_on", marks[: len(cutoffs)])
    rows = await conn.execute_query_dict(
        f"SELECT {bucket} AS bucket, SUM(invoice_count) AS invoices, "
        f"SUM(balance_cents) AS balance FROM invoice_due_totals WHERE tenant_id = {marks[-1]} "
        "GROUP BY 1",
        [*(sql_date(conn, cutoff) for cutoff in cutoffs), tenant.id],
    )
    found = {int(row["bucket"]): (int(row["invoices"]), int(row["balance"])) for row in rows}
    return AgingReport(
        as_of=day,
        currency=tenant.currency,
        buckets=tuple(
            AgingTotal(bucket, *found.get(index, (0, 0)))
            for index, bucket in enumerate(AGING_BUCKETS)
        ),
    )


async def fold_due_totals(tenant_id: int) -> None:
    """Fold the tenant's rows of `invoice_due_totals` into one per due date (dropping those that
    came to nothing), in one transaction. Rows a concurrent transaction adds meanwhile are not
    among those deleted, so they stay and count."""
    async with in_transaction() as conn:
        mark = placeholders(conn, 1)[0]
        rows = await conn.execute_query_dict(
            f"DELETE FROM invoice_due_totals WHERE tenant_id = {mark} "
            "RETURNING due_on, invoice_count, balance_cents",
            [tenant_id],
        )
        folded: dict[object, list[int]] = {}
        for row in rows:
            sums = folded.setdefault(row["due_on"], [0, 0])
            sums[0] += int(row["invoice_count"])
            sums[1] += int(row["balance_cents"])
        await insert_rows(
            conn,
            "invoice_due_totals",
            ("tenant_id", "due_on", "invoice_count", "balance_cents"),
            [
                (tenant_id, due_on, count, balance)
                for due_on, (count, balance) in folded.items()
                if count or balance
            ],
        )
