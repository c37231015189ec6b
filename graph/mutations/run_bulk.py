"""runBulk — start an invoice run; the workers process it (follow it with invoiceRunProgress).

Arguments: input: RunBulkInput (billingDate, clientId, review)
Permission: billing.edit
Errors (RunBulkPayload.errors): MANUAL_RUN_DISABLED, INVALID_INPUT, NOT_FOUND,
CLIENT_NOT_ELIGIBLE, RUN_IN_PROGRESS
"""

from __future__ import annotations

from datetime import date

import strawberry

from billing.runs.planning import start_invoice_run
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.payloads import RunBulkPayload
from graph.types.run import InvoiceRun


@strawberry.input
class RunBulkInput:
    billing_date: date | None = strawberry.field(
        default=None,
        description="Ignored where the date is locked (the locked date is used); required where "
        "it is not.",
    )
    client_id: strawberry.ID | None = None
    review: bool | None = strawberry.field(
        default=None,
        description="Stop with drafts for review instead of issuing (null: the tenant's review "
        "setting).",
    )


@refusals_in(RunBulkPayload)
async def run_bulk(info: Info, input: RunBulkInput) -> RunBulkPayload:
    viewer = info.context.authenticated_viewer
    client_id = None if input.client_id is None else row_id(input.client_id, "client", "clientId")
    run = await start_invoice_run(
        viewer.tenant,
        user_id=viewer.user.id,
        billing_date=input.billing_date,
        client_id=client_id,
        review=input.review,
    )
    info.context.jobs.start_invoice_run(run.id)
    return RunBulkPayload(run=InvoiceRun.from_model(run))
