"""Builders of API data for tests: users with tokens, invoices with lines and payments, runs.

Tenants, clients, services and charges come from `tests.support.factories`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.money import minor_unit, to_minor_units
from billing.runs.lifecycle import RunStatus, RunTrigger
from billing.tokens import hash_token
from ispbox.config import get_settings
from orm.models import (
    Client,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    Payment,
    PaymentAllocation,
    Tenant,
    User,
)
from tests.support.factories import make_charge, make_client, make_service, make_tenant

__all__ = [
    "ApiUser",
    "add_line",
    "make_charge",
    "make_client",
    "make_invoice",
    "make_run",
    "make_service",
    "make_tenant",
    "make_user",
    "pay",
]

VIEW = "billing.view"
EDIT = "billing.edit"


@dataclass(frozen=True, slots=True)
class ApiUser:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_user(
    tenant: Tenant,
    key: str = "editor",
    *,
    permissions: tuple[str, ...] = (VIEW, EDIT),
    active: bool = True,
) -> ApiUser:
    token = f"tok_{key}_{secrets.token_hex(12)}"
    user = await User.create(
        tenant=tenant,
        key=key,
        name=key.title(),
        token_hash=hash_token(token, get_settings().signing_key),
        permissions=list(permissions),
        active=active,
    )
    return ApiUser(user=user, token=token)


async def make_invoice(
    client: Client,
    number: str | None = "INV-0001",
    *,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
    issued_on: date = date(2026, 11, 1),
    due_on: date | None = None,
    total: str = "100.00",
    balance: str | None = None,
    run: InvoiceRun | None = None,
    period: tuple[date, date] | None = None,
    emailed: bool = False,
    auto_email: bool = False,
    currency: str = "USD",
) -> Invoice:
    """An invoice of the client's tenant; balance defaults to the total (zero once void)."""
    due = due_on or issued_on + timedelta(days=14)
    if balance is None:
        balance = "0" if status in (InvoiceStatus.VOID, InvoiceStatus.PAID) else total
    return await Invoice.create(
        tenant_id=client.tenant_id,
        client=client,
        run=run,
        number=number,
        status=status,
        issued_on=issued_on,
        due_on=due,
        grace_until=due + timedelta(days=7),
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        currency=currency,
        total_cents=to_minor_units(total, currency),
        balance_cents=to_minor_units(balance, currency),
        emailed_at=datetime.now(UTC) if emailed else None,
        auto_email=auto_email,
    )


async def add_line(
    invoice: Invoice,
    description: str = "Fiber 100",
    *,
    unit_price: str = "100.00",
    quantity: str = "1",
    kind: InvoiceLineKind = InvoiceLineKind.SERVICE,
    period: tuple[date, date] | None = None,
    position: int = 0,
) -> InvoiceLine:
    amount = (Decimal(unit_price) * Decimal(quantity)).quantize(minor_unit(invoice.currency))
    return await InvoiceLine.create(
        tenant_id=invoice.tenant_id,
        invoice=invoice,
        position=position,
        kind=kind,
        description=description,
        quantity=Decimal(quantity),
        unit_price_cents=to_minor_units(unit_price, invoice.currency),
        amount_cents=to_minor_units(amount, invoice.currency),
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
    )


async def pay(
    invoice: Invoice, amount: str, *, paid_on: date = date(2026, 11, 5), method: str = "card"
) -> PaymentAllocation:
    """A payment of the invoice's client allocated to the invoice (balances are not touched)."""
    payment = await Payment.create(
        tenant_id=invoice.tenant_id,
        client_id=invoice.client_id,
        amount_cents=to_minor_units(amount, invoice.currency),
        currency=invoice.currency,
        paid_on=paid_on,
        method=method,
        allocated_cents=to_minor_units(amount, invoice.currency),
    )
    return await PaymentAllocation.create(
        tenant_id=invoice.tenant_id,
        payment=payment,
        invoice=invoice,
        amount_cents=to_minor_units(amount, invoice.currency),
    )


async def make_run(
    tenant: Tenant,
    *,
    status: RunStatus = RunStatus.COMPLETED,
    billing_date: date = date(2026, 11, 1),
    client: Client | None = None,
    review: bool = False,
    trigger: RunTrigger = RunTrigger.MANUAL,
) -> InvoiceRun:
    return await InvoiceRun.create(
        tenant=tenant,
        client=client,
        billing_date=billing_date,
        status=status,
        trigger=trigger,
        review=review,
    )
