"""setClientBlocked — block or unblock a client by hand.

Arguments: input: SetClientBlockedInput (clientId, blocked)
Permission: billing.edit
Errors (ClientPayload.errors): NOT_FOUND
A block by hand is MANUAL: collections never lifts it. Unblocking by hand lifts any block, one
collections set (OVERDUE) too; the next daily pass blocks again a client still past grace.
"""

from __future__ import annotations

import strawberry

from billing.collections.blocking import set_client_blocked as set_blocked
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.client import Client
from graph.types.client_payload import ClientPayload


@strawberry.input
class SetClientBlockedInput:
    client_id: strawberry.ID
    blocked: bool


@refusals_in(ClientPayload)
async def set_client_blocked(info: Info, input: SetClientBlockedInput) -> ClientPayload:
    viewer = info.context.authenticated_viewer
    client = await set_blocked(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        client_id=row_id(input.client_id, "client", "clientId"),
        blocked=input.blocked,
    )
    return ClientPayload(client=Client.from_model(client))
