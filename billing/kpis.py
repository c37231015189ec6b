"""The KPI cards of the invoices overview, computed in the database in one grouped query."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Case, F, When
from tortoise.functions import Count, Sum

from orm.models import Invoice
from orm.models.enums import InvoiceStatus


@dataclass(frozen=True, slots=True)
class StatusTotals:
    status: InvoiceStatus
    count: int
    total_cents: int
    balance_cents: int
    outstanding_cents: int


@dataclass(frozen=True, slots=True)
class InvoiceKpis:
    """The cards count issued invoices only: drafts awaiting review are shown in `by_status`
    but are not yet the tenant's invoices."""

    total_invoices: int
    outstanding_balance_cents: int
    paid_invoices: int
    by_status: list[StatusTotals]


def _issued(totals: StatusTotals) -> bool:
    return totals.status != InvoiceStatus.DRAFT


async def totals_by_status(tenant_id: int) -> list[StatusTotals]:
    """Count, total, balance and positive balance per status, one row for every status in its
    declared order (zeros where a status has no invoice)."""
    rows = (
        await Invoice.filter(tenant_id=tenant_id)
        .annotate(
            invoice_count=Count("id"),
            total_sum=Sum("total_cents"),
            balance_sum=Sum("balance_cents"),
            outstanding_sum=Sum(
                Case(When(balance_cents__gt=0, then=F("balance_cents")), default=0)
            ),
        )
        .group_by("status")
        .values("status", "invoice_count", "total_sum", "balance_sum", "outstanding_sum")
    )
    # SUM over BIGINT is NUMERIC on PostgreSQL and NULL over no rows: int() makes both plain.
    found = {
        InvoiceStatus(row["status"]): StatusTotals(
            status=InvoiceStatus(row["status"]),
            count=int(row["invoice_count"]),
            total_cents=int(row["total_sum"] or 0),
            balance_cents=int(row["balance_sum"] or 0),
            outstanding_cents=int(row["outstanding_sum"] or 0),
        )
        for row in rows
    }
    return [found.get(status) or StatusTotals(status, 0, 0, 0, 0) for status in InvoiceStatus]


async def invoice_kpis(tenant_id: int) -> InvoiceKpis:
    by_status = await totals_by_status(tenant_id)
    issued = [totals for totals in by_status if _issued(totals)]
    return InvoiceKpis(
        total_invoices=sum(totals.count for totals in issued),
        outstanding_balance_cents=sum(totals.outstanding_cents for totals in issued),
        paid_invoices=sum(t.count for t in issued if t.status == InvoiceStatus.PAID),
        by_status=by_status,
    )
