"""Reading what collections decides from: the tenant's policy, clients and their owed invoices
as the pure rules' snapshots, set-at-a-time for a pass's chunk or one client."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.collections.decisions import ClientSnapshot, InvoiceSnapshot, blocked_reason_of
from billing.collections.passes import LATE_FEE_KEY_PREFIX, late_fee_key
from billing.collections.policy import CollectionsPolicy
from billing.invoices.lifecycle import PAYABLE_STATUSES
from orm.models import Charge, Client, Invoice, InvoiceReminder, Tenant


def tenant_policy(tenant: Tenant) -> CollectionsPolicy:
    """The tenant's stored collections settings as the rules' policy (ValueError where a stored
    value breaks a rule: the settings' own checks keep that from happening)."""
    return CollectionsPolicy(
        reminder_days=tuple(tenant.reminder_days or ()),
        late_fee_amount=tenant.late_fee_cents,
        late_fee_percent=tenant.late_fee_percent,
        block_after_grace=tenant.block_after_grace,
    )


def client_snapshot(client: Client) -> ClientSnapshot:
    return ClientSnapshot(
        client_id=client.id,
        status=ClientStatus(client.status),
        blocked_reason=blocked_reason_of(client.blocked, client.blocked_reason),
    )


async def client_snapshots(
    conn: BaseDBAsyncClient, tenant_id: int, client_ids: Iterable[int]
) -> list[ClientSnapshot]:
    ids = sorted(set(client_ids))
    if not ids:
        return []
    rows = (
        await Client.filter(tenant_id=tenant_id, id__in=ids)
        .using_db(conn)
        .values("id", "status", "blocked", "blocked_reason")
    )
    return [
        ClientSnapshot(
            client_id=row["id"],
            status=ClientStatus(row["status"]),
            blocked_reason=blocked_reason_of(row["blocked"], row["blocked_reason"]),
        )
        for row in rows
    ]


async def standing_client_ids(
    conn: BaseDBAsyncClient, tenant_id: int, first_id: int, last_id: int
) -> list[int]:
    """The clients of the id range that are overdue or blocked by collections: a pass looks at
    them even without an invoice past due, to set them back."""
    rows = await (
        Client.filter(tenant_id=tenant_id, id__gte=first_id, id__lte=last_id)
        .filter(status=ClientStatus.OVERDUE)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    blocked = await (
        Client.filter(tenant_id=tenant_id, id__gte=first_id, id__lte=last_id)
        .filter(blocked=True, blocked_reason=BlockedReason.OVERDUE)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    return sorted({*rows, *blocked})


async def past_due_invoices(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    today: date,
    *,
    client_range: tuple[int, int] | None = None,
    client_ids: Iterable[int] | None = None,
) -> list[InvoiceSnapshot]:
    """The owed invoices past their due date of a client id range (or of given clients), with
    the reminder levels each has claimed and whether its late fee was added. Invoices not past
    due decide nothing: no reminder, fee, overdue status or block comes of them."""
    invoices = Invoice.filter(
        tenant_id=tenant_id, status__in=PAYABLE_STATUSES, balance_cents__gt=0, due_on__lt=today
    )
    if client_range is not None:
        invoices = invoices.filter(client_id__gte=client_range[0], client_id__lte=client_range[1])
    if client_ids is not None:
        invoices = invoices.filter(client_id__in=list(client_ids))
    rows = await invoices.using_db(conn).values(
        "id", "client_id", "number", "status", "due_on", "grace_until", "balance_cents"
    )
    if not rows:
        return []
    invoice_ids = [row["id"] for row in rows]
    levels = await _claimed_levels(conn, invoice_ids)
    fees = await _late_fee_keys(conn, tenant_id, {row["client_id"] for row in rows})
    return [
        InvoiceSnapshot(
            invoice_id=row["id"],
            client_id=row["client_id"],
            number=row["number"],
            status=row["status"],
            due_on=row["due_on"],
            grace_until=row["grace_until"],
            balance=row["balance_cents"],
            reminder_levels_sent=frozenset(levels.get(row["id"], ())),
            late_fee_added=late_fee_key(row["id"]) in fees,
        )
        for row in rows
    ]


async def _claimed_levels(conn: BaseDBAsyncClient, invoice_ids: list[int]) -> dict[int, set[int]]:
    """Every level claimed per invoice, sent or still to send: a claimed level is not decided
    again."""
    levels: dict[int, set[int]] = defaultdict(set)
    rows = (
        await InvoiceReminder.filter(invoice_id__in=invoice_ids)
        .using_db(conn)
        .values_list("invoice_id", "level")
    )
    for invoice_id, level in rows:
        levels[invoice_id].add(level)
    return levels


async def _late_fee_keys(conn: BaseDBAsyncClient, tenant_id: int, client_ids: set[int]) -> set[str]:
    """The late fee keys the clients' charges hold (whatever the charge's status since)."""
    keys = (
        await Charge.filter(tenant_id=tenant_id, client_id__in=list(client_ids))
        .filter(key__startswith=LATE_FEE_KEY_PREFIX)
        .using_db(conn)
        .values_list("key", flat=True)
    )
    return set(keys)
