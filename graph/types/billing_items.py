"""What a client is billed for: its recurring services and its pending one-time charges
(the client billing view)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from billing.money import from_minor_units
from graph.scalars import quantity_value
from graph.types.enums import ServicePeriod, ServiceStatus
from orm import models


@strawberry.type(description="A recurring service, billed in advance one period at a time.")
class ClientService:
    id: strawberry.ID
    description: str
    price: Decimal
    quantity: Decimal
    period: ServicePeriod
    next_bill_date: date = strawberry.field(description="The first day of the next period to bill.")
    status: ServiceStatus
    billable: bool
    auto_email: bool | None = strawberry.field(description="Null inherits the tenant's setting.")

    @classmethod
    def from_model(cls, service: models.Service, currency: str) -> ClientService:
        return cls(
            id=strawberry.ID(str(service.id)),
            description=service.description,
            price=from_minor_units(service.price_cents, currency),
            quantity=quantity_value(service.quantity),
            period=ServicePeriod(service.period),
            next_bill_date=service.next_bill_date,
            status=ServiceStatus(service.status),
            billable=service.billable,
            auto_email=service.auto_email,
        )


@strawberry.type(description="A one-time charge waiting for the first run that reaches its date.")
class PendingCharge:
    id: strawberry.ID
    description: str
    amount: Decimal
    scheduled_on: date

    @classmethod
    def from_model(cls, charge: models.Charge, currency: str) -> PendingCharge:
        return cls(
            id=strawberry.ID(str(charge.id)),
            description=charge.description,
            amount=from_minor_units(charge.amount_cents, currency),
            scheduled_on=charge.scheduled_on,
        )
