"""The overview's monthly figures: what was invoiced and what was collected in each of the last
months, and this month's change from the last.

Invoiced is the total of the invoices issued in the month that still stand (unpaid, partly paid
or paid: not drafts, not voided); collected is the payments received in the month. Both are
summed in the database from indexes that hold every column they read (migration 0016), one
statement each, whatever the number of invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from billing.invoices.lifecycle import InvoiceStatus
from orm.db import connection, sql_date
from orm.dialect import month_text, numbered_placeholder

# The invoices an invoiced amount counts.
STANDING_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL, InvoiceStatus.PAID)
MAX_MONTHS = 36


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: date  # its first day
    invoiced_cents: int
    invoice_count: int
    collected_cents: int
    payment_count: int


@dataclass(frozen=True, slots=True)
class MonthlyTrends:
    """The months oldest first, the tenant's current month last."""

    months: list[MonthFigures]

    @property
    def this_month(self) -> MonthFigures:
        return self.months[-1]

    @property
    def last_month(self) -> MonthFigures | None:
        return self.months[-2] if len(self.months) > 1 else None

    def invoiced_change_cents(self) -> int:
        last = self.last_month
        return self.this_month.invoiced_cents - (last.invoiced_cents if last else 0)

    def collected_change_cents(self) -> int:
        last = self.last_month
        return self.this_month.collected_cents - (last.collected_cents if last else 0)

    def invoice_count_change(self) -> int:
        last = self.last_month
        return self.this_month.invoice_count - (last.invoice_count if last else 0)


def first_days(today: date, months: int) -> list[date]:
    """The first days of the `months` months ending with today's, oldest first."""
    index = today.year * 12 + today.month - 1
    return [
        date(year, month + 1, 1)
        for year, month in (divmod(index - back, 12) for back in range(months - 1, -1, -1))
    ]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


async def monthly_trends(tenant_id: int, today: date, months: int = 12) -> MonthlyTrends:
    """Invoiced and collected per month for the `months` months ending with today's (zeros for a
    month without any)."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_MONTHS}")
    starts = first_days(today, months)
    invoiced = await _sums_by_month(
        "invoices",
        "issued_on",
        "total_cents",
        tenant_id,
        starts[0],
        _next_month(starts[-1]),
        [str(status) for status in STANDING_STATUSES],
    )
    collected = await _sums_by_month(
        "payments", "paid_on", "amount_cents", tenant_id, starts[0], _next_month(starts[-1]), []
    )
    return MonthlyTrends(
        months=[
            MonthFigures(
                month=start,
                invoiced_cents=invoiced.get(key, (0, 0))[0],
                invoice_count=invoiced.get(key, (0, 0))[1],
                collected_cents=collected.get(key, (0, 0))[0],
                payment_count=collected.get(key, (0, 0))[1],
            )
            for start in starts
            for key in [start.isoformat()[:7]]
        ]
    )


async def _sums_by_month(
    table: str,
    day_column: str,
    amount_column: str,
    tenant_id: int,
    start: date,
    end: date,
    statuses: list[str],
) -> dict[str, tuple[int, int]]:
    """{'YYYY-MM': (sum of amounts, rows)} of the tenant's rows dated in [start, end)."""
    conn = connection()
    values: list[object] = [tenant_id, sql_date(conn, start), sql_date(conn, end), *statuses]
    marks = [numbered_placeholder(conn, n) for n in range(1, len(values) + 1)]
    status_filter = f" AND status IN ({', '.join(marks[3:])})" if statuses else ""
    month = month_text(conn, day_column)
    rows = await conn.execute_query_dict(
        f"SELECT {month} AS month, sum({amount_column}) AS amount, count(*) AS items "
        f"FROM {table} WHERE tenant_id = {marks[0]} AND {day_column} >= {marks[1]} "
        f"AND {day_column} < {marks[2]}{status_filter} GROUP BY {month}",
        values,
    )
    # SUM over BIGINT is NUMERIC on PostgreSQL: int() makes it plain.
    return {str(row["month"]): (int(row["amount"]), int(row["items"])) for row in rows}
