"""What the collections view lists: the invoices past due with a balance, oldest due first, and
the blocked clients."""

from __future__ import annotations

from datetime import date

from billing.invoices.lifecycle import PAYABLE_STATUSES
from orm.models import Client, Invoice


async def overdue_invoices(tenant_id: int, today: date, limit: int) -> list[Invoice]:
    """The tenant's owed invoices past their due date as of `today`, oldest due first."""
    return (
        await Invoice.filter(
            tenant_id=tenant_id,
            status__in=PAYABLE_STATUSES,
            balance_cents__gt=0,
            due_on__lt=today,
        )
        .order_by("due_on", "id")
        .limit(limit)
    )


async def blocked_clients(tenant_id: int, limit: int) -> list[Client]:
    """The tenant's blocked clients, by name."""
    return (
        await Client.filter(tenant_id=tenant_id, blocked=True).order_by("name", "id").limit(limit)
    )
