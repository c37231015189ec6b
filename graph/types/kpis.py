"""The KPI cards of the overview page."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from billing.invoices import kpis
from billing.money import from_minor_units
from graph.types.enums import InvoiceStatus


@strawberry.type
class InvoiceStatusTotals:
    status: InvoiceStatus
    count: int
    total: Decimal
    balance: Decimal


@strawberry.type
class InvoiceKpis:
    total_invoices: int = strawberry.field(description="Count of all tenant invoices.")
    outstanding_balance: Decimal = strawberry.field(
        description="Sum of invoice balances where balance > 0."
    )
    paid_invoices: int = strawberry.field(description="Count of invoices with status PAID.")
    currency: str
    by_status: list[InvoiceStatusTotals] = strawberry.field(
        description="Count, total and balance per status, one row for every InvoiceStatus in "
        "its declared order, zeros included."
    )

    @classmethod
    def from_kpis(cls, values: kpis.InvoiceKpis, currency: str) -> InvoiceKpis:
        return cls(
            total_invoices=values.total_invoices,
            outstanding_balance=from_minor_units(values.outstanding_balance_cents, currency),
            paid_invoices=values.paid_invoices,
            currency=currency,
            by_status=[
                InvoiceStatusTotals(
                    status=InvoiceStatus(row.status),
                    count=row.count,
                    total=from_minor_units(row.total_cents, currency),
                    balance=from_minor_units(row.balance_cents, currency),
                )
                for row in values.by_status
            ],
        )
