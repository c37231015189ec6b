"""The KPI cards of the invoices overview, from the per-status totals the database keeps."""

from __future__ import annotations

from dataclasses import dataclass

from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.totals import StatusTotals, totals_by_status


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


async def invoice_kpis(tenant_id: int) -> InvoiceKpis:
    by_status = await totals_by_status(tenant_id)
    issued = [totals for totals in by_status if _issued(totals)]
    return InvoiceKpis(
        total_invoices=sum(totals.count for totals in issued),
        outstanding_balance_cents=sum(totals.outstanding_cents for totals in issued),
        paid_invoices=sum(t.count for t in issued if t.status == InvoiceStatus.PAID),
        by_status=by_status,
    )
