"""discardInvoiceRun — throw away the drafts of a run awaiting review, restoring schedules and
charges; no number is used.

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
async def discard_invoice_run(info: Info, input: InvoiceRunInput) -> InvoiceRunPayload:
    viewer = info.context.authenticated_viewer
    run = await review.discard_invoice_run(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        run_id=row_id(input.run_id, "invoice run", "runId"),
    )
    return InvoiceRunPayload(run=InvoiceRun.from_model(run))
