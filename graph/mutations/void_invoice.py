"""voidInvoice — void an unpaid invoice, optionally putting what it billed back on the schedule.

Arguments: input: VoidInvoiceInput (id, resetServiceSchedule, reason, idempotencyKey)
Permission: billing.edit
Errors (InvoicePayload.errors): NOT_FOUND, ALREADY_VOID, NOT_VOIDABLE, HAS_ALLOCATIONS,
INVALID_INPUT (a reason over 1,000 characters, a malformed key), IDEMPOTENCY_CONFLICT
"""

from __future__ import annotations

import strawberry

from billing.invoices import void
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.invoice import Invoice
from graph.types.payloads import InvoicePayload


@strawberry.input
class VoidInvoiceInput:
    id: strawberry.ID
    reset_service_schedule: bool = strawberry.field(
        default=False,
        description="Put the invoice's service periods back to be billed again by the next run "
        "(exactly those periods, never a day twice; the schedule itself stays) and its invoiced "
        "one-time charges back to pending (cancelled ones stay cancelled).",
    )
    reason: str | None = strawberry.field(
        default=None,
        description="Why the invoice is voided, at most 1,000 characters: internal (the audit "
        "trail and Invoice.voidReason), never shown to the customer.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="1 to 200 characters. Repeated with the same key and input, the void "
        "returns the voided invoice and changes nothing more.",
    )


@refusals_in(InvoicePayload)
async def void_invoice(info: Info, input: VoidInvoiceInput) -> InvoicePayload:
    viewer = info.context.authenticated_viewer
    invoice = await void.void_invoice(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        invoice_id=row_id(input.id, "invoice", "id"),
        reset_service_schedule=input.reset_service_schedule,
        reason=input.reason,
        idempotency_key=input.idempotency_key,
    )
    return InvoicePayload(invoice=Invoice.from_model(invoice))
