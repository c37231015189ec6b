"""sendReminder — email a payment reminder for an invoice past its due date now.

Arguments: input: SendReminderInput (invoiceId, idempotencyKey)
Permission: billing.edit
Errors (InvoicePayload.errors): NOT_FOUND, NOT_OVERDUE (not past due, or nothing owed),
CLIENT_EMAIL_MISSING, MAILBOX_UNAVAILABLE, INVALID_INPUT (an address the server refuses, a
malformed key), IDEMPOTENCY_CONFLICT
It is counted like an automatic reminder: it takes the invoice's next level.
"""

from __future__ import annotations

import strawberry

from billing.collections.manual_reminder import send_reminder_now
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.invoice import Invoice
from graph.types.payloads import InvoicePayload


@strawberry.input
class SendReminderInput:
    invoice_id: strawberry.ID
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="1 to 200 characters. Repeated with the same key, the reminder is not "
        "emailed again and the invoice is returned.",
    )


@refusals_in(InvoicePayload)
async def send_reminder(info: Info, input: SendReminderInput) -> InvoicePayload:
    viewer = info.context.authenticated_viewer
    invoice = await send_reminder_now(
        tenant_id=viewer.tenant.id,
        invoice_id=row_id(input.invoice_id, "invoice", "invoiceId"),
        settings=info.context.settings.email_settings(),
        user_id=viewer.user.id,
        idempotency_key=input.idempotency_key,
    )
    return InvoicePayload(invoice=Invoice.from_model(invoice))
