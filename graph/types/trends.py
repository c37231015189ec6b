"""The overview's monthly figures: invoiced and collected per month, and this month's change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from billing.invoices import trends
from billing.money import from_minor_units


@strawberry.type
class InvoiceMonth:
    month: date = strawberry.field(description="The month's first day.")
    invoiced: Decimal = strawberry.field(
        description="Total of the invoices issued in the month that stand (UNPAID, PARTIAL, "
        "PAID: not drafts, not voided)."
    )
    invoice_count: int
    collected: Decimal = strawberry.field(description="Payments received in the month.")
    payment_count: int


@strawberry.type(description="Invoiced and collected per month, the tenant's current month last.")
class InvoiceTrends:
    currency: str
    months: list[InvoiceMonth] = strawberry.field(
        description="Oldest first, one per month, zeros included."
    )
    invoiced_change: Decimal = strawberry.field(
        description="This month's invoiced amount minus last month's."
    )
    collected_change: Decimal = strawberry.field(
        description="This month's collected amount minus last month's."
    )
    invoice_count_change: int = strawberry.field(
        description="Invoices issued this month minus those issued last month."
    )

    @classmethod
    def from_trends(cls, values: trends.MonthlyTrends, currency: str) -> InvoiceTrends:
        return cls(
            currency=currency,
            months=[
                InvoiceMonth(
                    month=month.month,
                    invoiced=from_minor_units(month.invoiced_cents, currency),
                    invoice_count=month.invoice_count,
                    collected=from_minor_units(month.collected_cents, currency),
                    payment_count=month.payment_count,
                )
                for month in values.months
            ],
            invoiced_change=from_minor_units(values.invoiced_change_cents(), currency),
            collected_change=from_minor_units(values.collected_change_cents(), currency),
            invoice_count_change=values.invoice_count_change(),
        )
