"""The dry run: what a run started now would bill (clients, invoices and amounts), decided by the
run's own selection and bill rules (`billing.runs.range_bills`) and written nowhere.

It reads the eligible clients range by range, as a run's chunks do, in one read-only pass
without row locks, so it neither waits for nor holds up a run or a void.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from billing.money import total_minor_units
from billing.runs.range_bills import decide_range
from billing.runs.selection import eligible_client_ranges
from orm.models import Tenant

# Clients decided at a time: a few thousand rows of services and charges in memory at most.
PREVIEW_RANGE = 2000


@dataclass(frozen=True, slots=True)
class RunPreview:
    run_date: date
    clients_considered: int  # eligible clients (those the run would take up)
    clients_billed: int  # of them, those with something due: one invoice each
    lines: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    clients_not_billed: int  # something due, but a problem the run would report


async def preview_run(tenant: Tenant, run_date: date, client_id: int | None = None) -> RunPreview:
    """What a run dated `run_date` (for `client_id` alone, where given) would bill now."""
    subtotals: list[int] = []
    taxes: list[int] = []
    totals: list[int] = []
    clients_considered = clients_billed = lines = not_billed = 0
    async with in_transaction() as conn:
        ranges = await eligible_client_ranges(conn, tenant.id, client_id, PREVIEW_RANGE)
        for client_range in ranges:
            clients_considered += client_range.clients
            decided = await decide_range(
                conn, tenant, client_range.first_id, client_range.last_id, run_date, locked=False
            )
            not_billed += len(decided.problems_by_client)
            for bill in decided.bills:
                if not bill.has_invoice:
                    continue
                clients_billed += 1
                lines += len(bill.lines)
                subtotals.append(bill.subtotal_cents)
                taxes.append(bill.tax_cents)
                totals.append(bill.total_cents)
    return RunPreview(
        run_date=run_date,
        clients_considered=clients_considered,
        clients_billed=clients_billed,
        lines=lines,
        subtotal_cents=total_minor_units(subtotals),
        tax_cents=total_minor_units(taxes),
        total_cents=total_minor_units(totals),
        clients_not_billed=not_billed,
    )
