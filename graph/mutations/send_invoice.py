"""sendInvoice — email the invoice now through the tenant's mailbox (billing records who sent it).

Arguments: input: SendInvoiceInput (id, force, idempotencyKey)
Permission: billing.edit
Errors (InvoicePayload.errors): NOT_FOUND; INVALID_INPUT (a draft or void invoice, a refused
address, an email that cannot be built, a malformed key); CLIENT_EMAIL_MISSING;
MAILBOX_UNAVAILABLE; RECENTLY_SENT (emailed less than a minute ago, not forced);
IDEMPOTENCY_CONFLICT
"""

from __future__ import annotations

import strawberry

from billing.delivery.email import send_invoice_now
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.common import UserError
from graph.types.invoice import Invoice
from graph.types.payloads import InvoicePayload
from orm import models


@strawberry.input
class SendInvoiceInput:
    id: strawberry.ID
    force: bool | None = strawberry.field(
        default=False,
        description="Send even though the invoice was emailed less than a minute ago.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="1 to 200 characters. Repeated with the same key and input, the send "
        "returns the first result and emails nothing more.",
    )


@refusals_in(InvoicePayload)
async def send_invoice(info: Info, input: SendInvoiceInput) -> InvoicePayload:
    viewer = info.context.authenticated_viewer
    invoice_id = row_id(input.id, "invoice", "id")
    await send_invoice_now(
        tenant_id=viewer.tenant.id,
        invoice_id=invoice_id,
        settings=info.context.settings.email_settings(),
        force=bool(input.force),
        idempotency_key=input.idempotency_key,
        user_id=viewer.user.id,
    )
    invoice = await models.Invoice.filter(id=invoice_id, tenant_id=viewer.tenant.id).first()
    if invoice is None:  # deleted since the first send under the same key
        return InvoicePayload(errors=[UserError.not_found("invoice", "id")])
    return InvoicePayload(invoice=Invoice.from_model(invoice))
