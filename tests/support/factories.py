"""Small builders of billing data for tests: a tenant, clients, services, charges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from billing.clients.eligibility import ClientStatus, ServiceStatus
from billing.delivery.mailbox_password import seal_mailbox_password
from billing.money import to_minor_units
from billing.periods import ServicePeriod
from ispbox.config import get_settings
from orm.models import Charge, Client, Service, Tenant


async def make_tenant(key: str = "acme", **settings: Any) -> Tenant:
    values: dict[str, Any] = {
        "name": key.title(),
        "currency": "USD",
        "timezone": "UTC",
        "payment_terms_days": 14,
        "grace_period_days": 7,
    }
    values.update(settings)
    if values.get("mailbox_password"):
        # Stored encrypted, as the import stores it.
        password = values["mailbox_password"]
        values["mailbox_password"] = seal_mailbox_password(password, get_settings().signing_key)
    return await Tenant.create(key=key, **values)


async def make_client(
    tenant: Tenant,
    key: str,
    *,
    status: ClientStatus = ClientStatus.ACTIVE,
    blocked: bool = False,
    email: str | None = "client@example.com",
    name: str | None = None,
) -> Client:
    return await Client.create(
        tenant=tenant,
        key=key,
        name=name or f"Client {key}",
        email=email,
        status=status,
        blocked=blocked,
    )


async def make_service(
    client: Client,
    key: str = "s-1",
    *,
    price: str = "49.99",
    quantity: str = "1",
    period: ServicePeriod = ServicePeriod.MONTHLY,
    next_bill_date: date = date(2026, 11, 1),
    anchor_day: int | None = None,
    status: ServiceStatus = ServiceStatus.ACTIVE,
    billable: bool = True,
    auto_email: bool | None = None,
    currency: str = "USD",
) -> Service:
    return await Service.create(
        tenant_id=client.tenant_id,
        client=client,
        key=key,
        description=f"Service {key}",
        price_cents=to_minor_units(price, currency),
        quantity=Decimal(quantity),
        period=period,
        next_bill_date=next_bill_date,
        anchor_day=anchor_day or next_bill_date.day,
        status=status,
        billable=billable,
        auto_email=auto_email,
    )


async def make_charge(
    client: Client,
    key: str = "ch-1",
    *,
    amount: str = "89.00",
    scheduled_on: date = date(2026, 11, 10),
    currency: str = "USD",
) -> Charge:
    return await Charge.create(
        tenant_id=client.tenant_id,
        client=client,
        key=key,
        description=f"Charge {key}",
        amount_cents=to_minor_units(amount, currency),
        scheduled_on=scheduled_on,
    )
