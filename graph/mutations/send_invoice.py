"""sendInvoice — email the invoice now through the tenant's mailbox, and record who sent it.

Arguments: input: SendInvoiceInput (id)
Permission: billing.edit
Errors (InvoicePayload.errors): NOT_FOUND, INVALID_INPUT (a draft, a refused address),
CLIENT_EMAIL_MISSING, MAILBOX_UNAVAILABLE
"""

from __future__ import annotations

import strawberry

from billing.audit import record_action
from billing.email import send_invoice_now
from billing.errors import BillingRuleError
from graph.context import Info
from graph.ids import parse_id
from graph.types.common import UserError
from graph.types.invoice import Invoice
from graph.types.payloads import InvoicePayload
from orm import models
from orm.models.enums import AuditAction


@strawberry.input
class SendInvoiceInput:
    id: strawberry.ID


async def send_invoice(info: Info, input: SendInvoiceInput) -> InvoicePayload:
    invoice_id = parse_id(input.id)
    if invoice_id is None:
        return InvoicePayload(errors=[UserError.not_found("invoice", "id")])
    viewer = info.context.authenticated_viewer
    try:
        await send_invoice_now(
            tenant_id=viewer.tenant.id, invoice_id=invoice_id, settings=info.context.settings
        )
    except BillingRuleError as error:
        return InvoicePayload(errors=[UserError.from_rule(error)])
    invoice = await models.Invoice.get(id=invoice_id, tenant_id=viewer.tenant.id)
    await record_action(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        action=AuditAction.SEND,
        invoice_id=invoice.id,
        detail={"number": invoice.number},
    )
    return InvoicePayload(invoice=Invoice.from_model(invoice))
