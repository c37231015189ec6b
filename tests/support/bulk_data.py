"""Many clients at once, for runs and collections passes big enough to cut into chunks."""

from __future__ import annotations

from datetime import date

from billing.invoices.lifecycle import InvoiceStatus
from orm.models import Client, Invoice, Service, Tenant


async def add_clients_with_services(
    tenant: Tenant, count: int, *, next_bill_date: date = date(2026, 11, 1), price_cents: int = 2999
) -> None:
    """`count` active clients with one monthly service each, due on `next_bill_date`."""
    await Client.bulk_create(
        [
            Client(
                tenant_id=tenant.id,
                key=f"bulk-{n:06}",
                name=f"Bulk Client {n:06}",
                email=f"bulk{n}@example.com",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    client_ids = await Client.filter(tenant_id=tenant.id, key__startswith="bulk-").values_list(
        "id", flat=True
    )
    await Service.bulk_create(
        [
            Service(
                tenant_id=tenant.id,
                client_id=client_id,
                key="fiber",
                description="Fiber 300",
                price_cents=price_cents,
                quantity=1,
                next_bill_date=next_bill_date,
                anchor_day=next_bill_date.day,
            )
            for client_id in client_ids
        ],
        batch_size=1000,
    )


async def add_clients_owing(
    tenant: Tenant, count: int, *, due_on: date, grace_until: date, balance_cents: int = 4999
) -> list[int]:
    """`count` active clients with one unpaid invoice each, due and in grace as given; their
    ids, ascending."""
    await Client.bulk_create(
        [
            Client(
                tenant_id=tenant.id,
                key=f"owing-{n:06}",
                name=f"Owing Client {n:06}",
                email=f"owing{n}@example.com",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    client_ids = sorted(
        await Client.filter(tenant_id=tenant.id, key__startswith="owing-").values_list(
            "id", flat=True
        )
    )
    await Invoice.bulk_create(
        [
            Invoice(
                tenant_id=tenant.id,
                client_id=client_id,
                number=f"OWE-{n:06}",
                status=InvoiceStatus.UNPAID,
                issued_on=due_on,
                due_on=due_on,
                grace_until=grace_until,
                currency=tenant.currency,
                total_cents=balance_cents,
                balance_cents=balance_cents,
                subtotal_cents=balance_cents,
            )
            for n, client_id in enumerate(client_ids)
        ],
        batch_size=1000,
    )
    return client_ids
