"""The Client type: who an invoice bills."""

from __future__ import annotations

import strawberry

from billing.clients.eligibility import BlockedReason as StoredBlockedReason
from graph.context import Info
from graph.types.billing_items import ClientService, PendingCharge
from graph.types.enums import BlockedReason, ClientStatus
from orm import models


@strawberry.type
class Client:
    model: strawberry.Private[models.Client]
    id: strawberry.ID
    name: str
    email: str | None
    status: ClientStatus
    blocked: bool
    address: str | None = strawberry.field(
        description="Postal address; lines separated by newlines."
    )
    tax_id: str | None
    tax_exempt: bool = strawberry.field(
        description="No tax on the client's invoices (exempt, or reverse charge); the reason is "
        "printed on them."
    )
    tax_exempt_reason: str | None
    blocked_reason: BlockedReason | None = strawberry.field(
        description="Why the client is blocked, where it is."
    )

    @classmethod
    def from_model(cls, client: models.Client) -> Client:
        return cls(
            model=client,
            id=strawberry.ID(str(client.id)),
            name=client.name,
            email=client.email,
            status=ClientStatus(client.status),
            blocked=client.blocked,
            address=client.address,
            tax_id=client.tax_id,
            tax_exempt=client.tax_exempt,
            tax_exempt_reason=client.tax_exempt_reason,
            blocked_reason=blocked_reason_of(client),
        )

    @strawberry.field(
        description="Where the client's billing tab lives (the run page's Open Client Billing)."
    )
    def billing_url(self, info: Info) -> str:
        return info.context.settings.client_billing_link(self.model.id)

    @strawberry.field(description="The client's services, next to bill first.")
    async def services(self, info: Info) -> list[ClientService]:
        services = await info.context.loaders.services.load(self.model.id)
        currency = info.context.tenant.currency
        return [ClientService.from_model(service, currency) for service in services]

    @strawberry.field(description="One-time charges not billed yet, earliest first.")
    async def pending_charges(self, info: Info) -> list[PendingCharge]:
        charges = await info.context.loaders.pending_charges.load(self.model.id)
        currency = info.context.tenant.currency
        return [PendingCharge.from_model(charge, currency) for charge in charges]


def blocked_reason_of(client: models.Client) -> BlockedReason | None:
    """Why the client is blocked; a block stored without a reason was set by a person."""
    if not client.blocked:
        return None
    return BlockedReason(client.blocked_reason or StoredBlockedReason.MANUAL)


async def load_client(info: Info, client_id: int | None) -> Client | None:
    """The tenant's client through the request's loader (None for no id)."""
    if client_id is None:
        return None
    client = await info.context.loaders.client.load(client_id)
    return Client.from_model(client) if client else None
