"""The Client type: who an invoice bills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from billing.clients.eligibility import BlockedReason as StoredBlockedReason
from billing.money import from_minor_units
from billing.payments.listing import PaymentListFilter, payment_page
from billing.payments.statement import client_statement
from graph.context import Info
from graph.errors import InvalidInput
from graph.pagination import check_first, payment_position
from graph.types.billing_items import ClientService, PendingCharge
from graph.types.enums import BlockedReason, ClientStatus
from graph.types.statement import ClientStatement
from orm import models

if TYPE_CHECKING:
    from graph.types.payment import PaymentConnection


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

    @strawberry.field(
        description="Money received and not allocated, plus credit notes settled as CREDIT, "
        "less refunds."
    )
    async def credit_balance(self, info: Info) -> Decimal:
        held = await info.context.loaders.credit_balance.load(self.model.id)
        return from_minor_units(held, info.context.tenant.currency)

    @strawberry.field(description="Sum of the balances of the client's issued, not void invoices.")
    async def balance_due(self, info: Info) -> Decimal:
        due = await info.context.loaders.balance_due.load(self.model.id)
        return from_minor_units(due, info.context.tenant.currency)

    @strawberry.field(
        description="Every invoice, payment, credit note, refund and reversal in date order with "
        "a running balance."
    )
    async def statement(
        self,
        info: Info,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> ClientStatement:
        if from_ is not None and to is not None and to < from_:
            raise InvalidInput("`to` must not be before `from`.", field="to")
        statement = await client_statement(self.model.tenant_id, self.model.id, from_, to)
        return ClientStatement.from_statement(statement, info.context.tenant.currency)

    @strawberry.field(description="The client's payments, newest receivedOn first, then id.")
    async def payments(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Annotated[PaymentConnection, strawberry.lazy("graph.types.payment")]:
        from graph.types.payment import PaymentConnection  # payment.py imports this module

        check_first(first)
        page = await payment_page(
            self.model.tenant_id,
            PaymentListFilter(client_id=self.model.id),
            first=first,
            after=payment_position(after),
        )
        return PaymentConnection.from_page(page)


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
