"""discardInvoiceRun — throw away the drafts of a run awaiting review, restoring schedules and
charges; no number is used.

Arguments: input: InvoiceRunInput (runId)
Permission: billing.edit
Errors (InvoiceRunPayload.errors): NOT_FOUND, NOT_AWAITING_REVIEW
"""

from __future__ import annotations

from billing.errors import BillingRuleError
from billing.runs import review
from graph.context import Info
from graph.ids import parse_id
from graph.mutations.review_input import InvoiceRunInput
from graph.types.common import UserError
from graph.types.payloads import InvoiceRunPayload
from graph.types.run import InvoiceRun


async def discard_invoice_run(info: Info, input: InvoiceRunInput) -> InvoiceRunPayload:
    run_id = parse_id(input.run_id)
    if run_id is None:
        return InvoiceRunPayload(errors=[UserError.not_found("invoice run", "runId")])
    viewer = info.context.authenticated_viewer
    try:
        run = await review.discard_invoice_run(
            tenant_id=viewer.tenant.id, user_id=viewer.user.id, run_id=run_id
        )
    except BillingRuleError as error:
        return InvoiceRunPayload(errors=[UserError.from_rule(error)])
    return InvoiceRunPayload(run=InvoiceRun.from_model(run))
