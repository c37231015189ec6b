"""deleteInvoice — remove an invoice and its related records for good (development only).

Arguments: input: DeleteInvoiceInput (id)
Permission: billing.edit
Errors (DeleteInvoicePayload.errors): DEV_ONLY, NOT_FOUND
"""

from __future__ import annotations

import strawberry

from billing.errors import BillingRuleError
from billing.invoices import delete
from graph.context import Info
from graph.ids import parse_id
from graph.types.common import UserError
from graph.types.payloads import DeleteInvoicePayload


@strawberry.input
class DeleteInvoiceInput:
    id: strawberry.ID


async def delete_invoice(info: Info, input: DeleteInvoiceInput) -> DeleteInvoicePayload:
    invoice_id = parse_id(input.id)
    if invoice_id is None:
        return DeleteInvoicePayload(errors=[UserError.not_found("invoice", "id")])
    viewer = info.context.authenticated_viewer
    try:
        deleted_id = await delete.delete_invoice(
            tenant_id=viewer.tenant.id,
            user_id=viewer.user.id,
            invoice_id=invoice_id,
            development=info.context.settings.is_development,
        )
    except BillingRuleError as error:
        return DeleteInvoicePayload(errors=[UserError.from_rule(error)])
    return DeleteInvoicePayload(deleted_id=strawberry.ID(str(deleted_id)))
