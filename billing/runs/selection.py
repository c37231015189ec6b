"""Run selection, written once: which clients, services and charges a run bills.

- clients: those runs bill (`billing.clients.eligibility`: active or overdue, not blocked),
  optionally one client;
- services: active and billable, next bill date on or before the run date, or a period a void
  with reset put back starting on or before it;
- one-time charges: pending, scheduled on or before the run date;
- with them, each one's own tax rate and the clients exempt from tax.

The run engine reads these set-at-a-time for a range of client ids; the plan counts with them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.clients.eligibility import billed_by_runs_sql
from billing.periods import BillingPeriod, ServicePeriod
from billing.runs.decide import DueCharge, DueService
from orm.db import placeholders, sql_date
from orm.dialect import row_lock

ELIGIBLE_CLIENT = billed_by_runs_sql("c")
BILLABLE_SERVICE = "s.status = 'active' AND s.billable"
PENDING_CHARGE = "ch.status = 'pending'"
PENDING_REBILL = "r.service_id = s.id AND r.line_id IS NULL"


def as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def as_rate(value: object) -> Decimal | None:
    """A stored tax rate (text on SQLite, numeric on PostgreSQL) as a Decimal percent."""
    return None if value is None else Decimal(str(value))


async def eligible_client_ids(
    conn: BaseDBAsyncClient, tenant_id: int, first_id: int, last_id: int
) -> list[int]:
    m = placeholders(conn, 3)
    rows = await conn.execute_query_dict(
        f"SELECT c.id FROM clients c WHERE c.tenant_id = {m[0]} "
        f"AND c.id BETWEEN {m[1]} AND {m[2]} AND {ELIGIBLE_CLIENT} ORDER BY c.id",
        [tenant_id, first_id, last_id],
    )
    return [int(row["id"]) for row in rows]


@dataclass(frozen=True, slots=True)
class ClientRange:
    """Consecutive eligible clients by id: a run chunk's share of the run."""

    first_id: int
    last_id: int
    clients: int


async def eligible_client_ranges(
    conn: BaseDBAsyncClient, tenant_id: int, client_id: int | None, size: int
) -> list[ClientRange]:
    """The tenant's eligible clients (optionally one client) cut by id into ranges of `size`,
    in id order. Cut in the database: a run of any size reads only the ranges."""
    m = placeholders(conn, 3)
    only_one = f" AND c.id = {m[2]}" if client_id is not None else ""
    params: list[object] = [size, tenant_id] + ([client_id] if client_id is not None else [])
    rows = await conn.execute_query_dict(
        "SELECT min(id) AS first_id, max(id) AS last_id, count(*) AS clients FROM ("
        f"SELECT c.id, (row_number() OVER (ORDER BY c.id) - 1) / {m[0]} AS seq "
        f"FROM clients c WHERE c.tenant_id = {m[1]}{only_one} AND {ELIGIBLE_CLIENT}"
        ") AS ranked GROUP BY seq ORDER BY seq",
        params,
    )
    return [
        ClientRange(int(row["first_id"]), int(row["last_id"]), int(row["clients"])) for row in rows
    ]


async def due_services(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    first_id: int,
    last_id: int,
    run_date: date,
    *,
    locked: bool = True,
) -> list[DueService]:
    """Due services of eligible clients in the range, locked against a concurrent void (unless
    only counted: `locked` False)."""
    m = placeholders(conn, 5)
    lock = row_lock(conn, "s") if locked else ""
    rows = await conn.execute_query_dict(
        "SELECT s.id, s.client_id, s.description, s.price_cents, s.quantity, s.period, "
        "s.next_bill_date, s.anchor_day, s.auto_email, s.tax_rate "
        "FROM services s JOIN clients c ON c.id = s.client_id "
        f"WHERE s.tenant_id = {m[0]} AND s.client_id BETWEEN {m[1]} AND {m[2]} "
        f"AND (s.next_bill_date <= {m[3]} OR EXISTS (SELECT 1 FROM service_rebill_periods r "
        f"WHERE {PENDING_REBILL} AND r.period_start <= {m[4]})) "
        f"AND {BILLABLE_SERVICE} AND {ELIGIBLE_CLIENT}{lock}",
        [tenant_id, first_id, last_id, sql_date(conn, run_date), sql_date(conn, run_date)],
    )
    return [
        DueService(
            id=int(row["id"]),
            client_id=int(row["client_id"]),
            description=row["description"],
            price_cents=int(row["price_cents"]),
            quantity=Decimal(str(row["quantity"])),
            period=ServicePeriod(row["period"]),
            next_bill_date=as_date(row["next_bill_date"]),
            anchor_day=int(row["anchor_day"]),
            auto_email=None if row["auto_email"] is None else bool(row["auto_email"]),
            tax_rate=as_rate(row["tax_rate"]),
        )
        for row in rows
    ]


async def due_charges(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    first_id: int,
    last_id: int,
    run_date: date,
    *,
    locked: bool = True,
) -> list[DueCharge]:
    m = placeholders(conn, 4)
    lock = row_lock(conn, "ch") if locked else ""
    rows = await conn.execute_query_dict(
        "SELECT ch.id, ch.client_id, ch.description, ch.amount_cents, ch.scheduled_on, ch.tax_rate "
        "FROM charges ch JOIN clients c ON c.id = ch.client_id "
        f"WHERE ch.tenant_id = {m[0]} AND ch.client_id BETWEEN {m[1]} AND {m[2]} "
        f"AND ch.scheduled_on <= {m[3]} AND {PENDING_CHARGE} AND {ELIGIBLE_CLIENT}{lock}",
        [tenant_id, first_id, last_id, sql_date(conn, run_date)],
    )
    return [
        DueCharge(
            id=int(row["id"]),
            client_id=int(row["client_id"]),
            description=row["description"],
            amount_cents=int(row["amount_cents"]),
            scheduled_on=as_date(row["scheduled_on"]),
            tax_rate=as_rate(row["tax_rate"]),
        )
        for row in rows
    ]


async def tax_exempt_clients(
    conn: BaseDBAsyncClient, tenant_id: int, first_id: int, last_id: int
) -> dict[int, str | None]:
    """The eligible clients in the range exempt from tax, with the reason their invoices print."""
    m = placeholders(conn, 3)
    rows = await conn.execute_query_dict(
        "SELECT c.id, c.tax_exempt_reason FROM clients c "
        f"WHERE c.tenant_id = {m[0]} AND c.id BETWEEN {m[1]} AND {m[2]} "
        f"AND c.tax_exempt AND {ELIGIBLE_CLIENT}",
        [tenant_id, first_id, last_id],
    )
    return {int(row["id"]): row["tax_exempt_reason"] for row in rows}


async def live_periods(
    conn: BaseDBAsyncClient, tenant_id: int, first_id: int, last_id: int, run_date: date
) -> dict[int, list[BillingPeriod]]:
    """By service: the periods live invoice lines bill that a run on this date could overlap:
    those ending on or after the next bill date (possible after a schedule change or an import),
    and every one of a service with periods put back to bill again."""
    m = placeholders(conn, 4)
    rows = await conn.execute_query_dict(
        "SELECT l.service_id, l.period_start, coalesce(l.period_end, l.period_start) AS period_end "
        "FROM invoice_lines l JOIN services s ON s.id = l.service_id "
        f"WHERE s.tenant_id = {m[0]} AND s.client_id BETWEEN {m[1]} AND {m[2]} "
        f"AND l.live AND l.period_start IS NOT NULL AND ("
        f"(s.next_bill_date <= {m[3]} "
        "AND coalesce(l.period_end, l.period_start) >= s.next_bill_date) "
        f"OR EXISTS (SELECT 1 FROM service_rebill_periods r WHERE {PENDING_REBILL}))",
        [tenant_id, first_id, last_id, sql_date(conn, run_date)],
    )
    periods: dict[int, list[BillingPeriod]] = defaultdict(list)
    for row in rows:
        periods[int(row["service_id"])].append(
            BillingPeriod(as_date(row["period_start"]), as_date(row["period_end"]))
        )
    return periods


async def rebill_periods(
    conn: BaseDBAsyncClient, tenant_id: int, first_id: int, last_id: int, run_date: date
) -> dict[int, list[BillingPeriod]]:
    """By service: the periods a void with reset put back that a run on this date bills again
    (those starting on or before it)."""
    m = placeholders(conn, 4)
    rows = await conn.execute_query_dict(
        "SELECT r.service_id, r.period_start, r.period_end FROM service_rebill_periods r "
        "JOIN services s ON s.id = r.service_id "
        f"WHERE s.tenant_id = {m[0]} AND s.client_id BETWEEN {m[1]} AND {m[2]} "
        f"AND {PENDING_REBILL} AND r.period_start <= {m[3]}",
        [tenant_id, first_id, last_id, sql_date(conn, run_date)],
    )
    periods: dict[int, list[BillingPeriod]] = defaultdict(list)
    for row in rows:
        periods[int(row["service_id"])].append(
            BillingPeriod(as_date(row["period_start"]), as_date(row["period_end"]))
        )
    return periods


async def take_rebilled_periods(
    conn: BaseDBAsyncClient, tenant_id: int, run_id: int, first_id: int, last_id: int
) -> None:
    """Link each pending put-back period of the clients in the range to the run's line that
    now bills it; periods the run skipped stay pending."""
    m = placeholders(conn, 4)
    await conn.execute_query(
        "UPDATE service_rebill_periods SET line_id = ("
        "SELECT l.id FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
        f"WHERE i.run_id = {m[0]} AND l.live "
        "AND l.service_id = service_rebill_periods.service_id "
        "AND l.period_start = service_rebill_periods.period_start) "
        f"WHERE line_id IS NULL AND tenant_id = {m[1]} AND service_id IN ("
        f"SELECT id FROM services WHERE client_id BETWEEN {m[2]} AND {m[3]})",
        [run_id, tenant_id, first_id, last_id],
    )
