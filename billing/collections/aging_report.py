"""The aging report: the tenant's open balances by days past due, computed in the database.

One GROUP BY over the owed invoices, bucketed by `aging_case_sql` (the same table of buckets the
pure `aging_totals` uses), as of the tenant's today. A partial index over the owed invoices
(migration 0014) keeps it to the invoices still owed, however many are paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from billing.collections.aging import (
    AGING_BUCKETS,
    AgingTotal,
    aging_case_sql,
    aging_cutoffs,
)
from billing.dates import today_in
from billing.invoices.lifecycle import PAYABLE_STATUSES
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
    statuses = [status.value for status in PAYABLE_STATUSES]
    # In the order the statement names them: `?` markers on SQLite are positional.
    marks = placeholders(conn, len(cutoffs) + 1 + len(statuses))
    cutoff_marks, tenant_mark, status_marks = (
        marks[: len(cutoffs)],
        marks[len(cutoffs)],
        marks[len(cutoffs) + 1 :],
    )
    bucket = aging_case_sql("due_on", cutoff_marks)
    rows = await conn.execute_query_dict(
        f"SELECT {bucket} AS bucket, COUNT(*) AS invoices, SUM(balance_cents) AS balance "
        f"FROM invoices WHERE tenant_id = {tenant_mark} "
        f"AND status IN ({', '.join(status_marks)}) AND balance_cents > 0 "
        "GROUP BY 1",
        [*(sql_date(conn, cutoff) for cutoff in cutoffs), tenant.id, *statuses],
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
