"""The Payment type: money received from a client, its allocations, and the payments list's
connection."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry

from billing.money import from_minor_units
from billing.payments.listing import PaymentPage, position_of
from billing.payments.methods import PaymentMethod as StoredMethod
from billing.payments.methods import PaymentStatus as StoredStatus
from billing.payments.methods import payment_method_of
from graph.context import Info
from graph.pagination import payment_cursor
from graph.types.client import Client, load_client
from graph.types.common import PageInfo
from graph.types.invoice import PaymentAllocation
from orm import models


@strawberry.enum
class PaymentMethod(Enum):
    CASH = StoredMethod.CASH.value
    BANK_TRANSFER = StoredMethod.BANK_TRANSFER.value
    CHEQUE = StoredMethod.CHEQUE.value
    CARD = StoredMethod.CARD.value
    DIRECT_DEBIT = StoredMethod.DIRECT_DEBIT.value
    OTHER = StoredMethod.OTHER.value


@strawberry.enum
class PaymentStatus(Enum):
    RECEIVED = StoredStatus.RECEIVED.value
    REVERSED = strawberry.enum_value(
        StoredStatus.REVERSED.value,
        description="Bounced or entered in error; its allocations are undone.",
    )


@strawberry.type
class Payment:
    model: strawberry.Private[models.Payment]
    id: strawberry.ID
    amount: Decimal
    currency: str
    received_on: date
    method: PaymentMethod
    reference: str | None
    status: PaymentStatus
    unallocated: Decimal = strawberry.field(
        description="amount less what is allocated and what was refunded."
    )
    refunded: Decimal
    created_at: datetime
    # The payment's client where it was read with the payment (a list page reads them at once).
    client_model: strawberry.Private[models.Client | None] = None

    @classmethod
    def from_model(cls, payment: models.Payment, client: models.Client | None = None) -> Payment:
        currency = payment.currency
        unallocated = payment.amount_cents - payment.allocated_cents - payment.refunded_cents
        if payment.status == StoredStatus.REVERSED:
            unallocated = 0  # a reversed payment holds nothing for the client
        return cls(
            model=payment,
            id=strawberry.ID(str(payment.id)),
            amount=from_minor_units(payment.amount_cents, currency),
            currency=currency,
            received_on=payment.paid_on,
            method=PaymentMethod(payment_method_of(payment.method).value),
            reference=payment.reference,
            status=PaymentStatus(StoredStatus(payment.status).value),
            unallocated=from_minor_units(unallocated, currency),
            refunded=from_minor_units(payment.refunded_cents, currency),
            created_at=payment.created_at,
            client_model=client,
        )

    @strawberry.field
    async def client(self, info: Info) -> Client:
        if self.client_model is not None:
            return Client.from_model(self.client_model)
        client = await load_client(info, self.model.client_id)
        if client is None:
            raise LookupError(f"payment {self.model.id} has no client")
        return client

    @strawberry.field(description="The invoices the payment went to, in the order it was made.")
    async def allocations(self, info: Info) -> list[PaymentAllocation]:
        allocations = await info.context.loaders.payment_allocations.load(self.model.id)
        return [
            PaymentAllocation.from_model(allocation, self.currency) for allocation in allocations
        ]


@strawberry.type
class PaymentEdge:
    cursor: str
    node: Payment


@strawberry.type
class PaymentConnection:
    edges: list[PaymentEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: PaymentPage) -> PaymentConnection:
        edges = [
            PaymentEdge(
                cursor=payment_cursor(position_of(payment)),
                node=Payment.from_model(payment, client=page.clients.get(payment.client_id)),
            )
            for payment in page.payments
        ]
        return cls(
            edges=edges,
            page_info=PageInfo.of(edges, has_next_page=page.has_next_page),
            total_count=page.total_count,
        )

    @classmethod
    def empty(cls) -> PaymentConnection:
        return cls(edges=[], page_info=PageInfo.of([], has_next_page=False), total_count=0)
