"""deleteInvoice — remove an invoice and its related records for good (development only).

Arguments: input: DeleteInvoiceInput (id)
Permission: billing.edit
Errors (DeleteInvoicePayload.errors): DEV_ONLY, NOT_FOUND
"""

from __future__ import annotations

import strawberry

from billing.invoices import delete
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.payloads import DeleteInvoicePayload


@strawberry.input
class DeleteInvoiceInput:
    id: strawberry.ID


@refusals_in(DeleteInvoicePayload)
async def delete_invoice(info: Info, input: DeleteInvoiceInput) -> DeleteInvoicePayload:
    viewer = info.context.authenticated_viewer
    deleted_id = await delete.delete_invoice(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        invoice_id=row_id(input.id, "invoice", "id"),
        development=info.context.settings.is_development,
    )
    return DeleteInvoicePayload(deleted_id=strawberry.ID(str(deleted_id)))
