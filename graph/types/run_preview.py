"""The dry run of the bulk-run page: what a run started now would bill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from billing.money import from_minor_units
from billing.runs.preview import RunPreview


@strawberry.type(
    description="What a run started now would bill, decided by the run's own rules and written "
    "nowhere."
)
class InvoiceRunPreview:
    run_date: date
    currency: str
    eligible_clients: int = strawberry.field(
        description="Clients the run takes up: active or overdue, not blocked."
    )
    clients_billed: int = strawberry.field(
        description="Of them, those with something due: one invoice each."
    )
    lines: int
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    clients_not_billed: int = strawberry.field(
        description="Clients with something due that the run would not bill, reporting why "
        "(a service or charge it cannot bill)."
    )

    @classmethod
    def from_preview(cls, preview: RunPreview, currency: str) -> InvoiceRunPreview:
        return cls(
            run_date=preview.run_date,
            currency=currency,
            eligible_clients=preview.clients_considered,
            clients_billed=preview.clients_billed,
            lines=preview.lines,
            subtotal=from_minor_units(preview.subtotal_cents, currency),
            tax_total=from_minor_units(preview.tax_cents, currency),
            total=from_minor_units(preview.total_cents, currency),
            clients_not_billed=preview.clients_not_billed,
        )
