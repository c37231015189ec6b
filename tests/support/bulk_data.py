"""Many clients at once, for runs big enough to cut into chunks."""

from __future__ import annotations

from datetime import date

from orm.models import Client, Service, Tenant


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
