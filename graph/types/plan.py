"""The InvoiceRunPlan type: the date logic of the bulk-run page."""

from __future__ import annotations

from datetime import date

import strawberry

from billing.runs.planning import RunPlan, count_eligible_clients
from graph.context import Info
from graph.types.client import Client


@strawberry.type
class InvoiceRunPlan:
    run_date: date = strawberry.field(description="The selected or locked run date.")
    locked: bool = strawberry.field(
        description="True where a billing cycle day is configured: runDate is then the next "
        "cycle date and cannot be changed."
    )
    due_date: date = strawberry.field(description="runDate + the tenant's payment terms.")
    grace_date: date = strawberry.field(description="dueDate + the tenant's grace period.")
    manual_run_allowed: bool = strawberry.field(
        description="False where automatic generation on the billing schedule is enabled."
    )
    blocked_reason: str | None = strawberry.field(
        description="Why a manual run is not allowed, where it is not."
    )
    client: Client | None
    review: bool = strawberry.field(
        description="Whether a run started now stops with drafts for review (the tenant's "
        "review setting)."
    )

    @strawberry.field(
        description="How many clients a run started now would take up: active or overdue and "
        "not blocked (the chosen client only, where one is chosen). Counted when asked for."
    )
    async def eligible_clients(self, info: Info) -> int:
        return await count_eligible_clients(
            info.context.tenant, self.client.model if self.client else None
        )

    @classmethod
    def from_plan(cls, plan: RunPlan) -> InvoiceRunPlan:
        dates = plan.dates
        return cls(
            run_date=dates.run_date,
            locked=dates.locked,
            due_date=dates.due_date,
            grace_date=dates.grace_date,
            manual_run_allowed=dates.manual_run_allowed,
            blocked_reason=dates.blocked_reason,
            client=Client.from_model(plan.client) if plan.client else None,
            review=plan.review,
        )
