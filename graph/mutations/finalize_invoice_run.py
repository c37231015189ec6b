"""finalizeInvoiceRun — issue the drafts of a run awaiting review; auto email and charge follow.

Arguments: input: InvoiceRunInput (runId)
Permission: billing.edit
Errors (InvoiceRunPayload.errors): NOT_FOUND, NOT_AWAITING_REVIEW
"""

from __future__ import annotations

from billing.runs import review
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.mutations.review_input import InvoiceRunInput
from graph.types.payloads import InvoiceRunPayload
from graph.types.run import InvoiceRun


@refusals_in(InvoiceRunPayload)
async def finalize_invoice_run(info: Info, input: InvoiceRunInput) -> InvoiceRunPayload:
    viewer = info.context.authenticated_viewer
    run = await review.finalize_invoice_run(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        run_id=row_id(input.run_id, "invoice run", "runId"),
    )
    info.context.jobs.email_and_charge_run(run.id)
    return InvoiceRunPayload(run=InvoiceRun.from_model(run))
