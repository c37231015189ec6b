"""applyCredit — apply the client's credit balance to its open invoices.

Arguments: input: ApplyCreditInput (clientId, invoiceIds)
Permission: billing.edit
Errors (ClientPayload.errors): NOT_FOUND (client or a named invoice), NOT_PAYABLE (a named
invoice that takes no payment)
"""

from __future__ import annotations

import strawberry

from billing.payments.credit import apply_credit
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.client import Client
from graph.types.client_payload import ClientPayload


@strawberry.input
class ApplyCreditInput:
    client_id: strawberry.ID
    invoice_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The invoices to apply it to, in order; null: oldest due first."
    )


@refusals_in(ClientPayload)
async def apply_credit_field(info: Info, input: ApplyCreditInput) -> ClientPayload:
    viewer = info.context.authenticated_viewer
    invoice_ids = (
        None
        if input.invoice_ids is None
        else [row_id(value, "invoice of this client", "invoiceIds") for value in input.invoice_ids]
    )
    client = await apply_credit(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        client_id=row_id(input.client_id, "client", "clientId"),
        invoice_ids=invoice_ids,
        today=info.context.today,
    )
    return ClientPayload(client=Client.from_model(client))
