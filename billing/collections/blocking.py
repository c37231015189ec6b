"""A client's standing as money settles its invoices, and blocks set by hand.

`after_settlement` runs in the transaction that settles an invoice (a payment, a credit note, a
void): the moment nothing of the client is past grace with a balance, an OVERDUE block is lifted,
and the moment nothing is past due, an overdue client is active again, in the same commit as the
settlement rather than at the next daily pass. It never blocks and never touches a MANUAL block.

`set_client_blocked` is a person's block or unblock: a block by hand is MANUAL (collections never
lifts it); an unblock by hand clears any block, OVERDUE included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.collections.applying import apply_plans
from billing.collections.decisions import (
    CollectionsPlan,
    block_change,
    blocked_reason_of,
    client_status_change,
)
from billing.collections.snapshots import client_snapshot, past_due_invoices, tenant_policy
from billing.dates import today_in
from billing.errors import BillingRuleError, ErrorCode
from orm.models import Client, Tenant


async def after_settlement(
    conn: BaseDBAsyncClient, *, tenant_id: int, client_id: int, today: date | None = None
) -> None:
    """Lift what settling the client's invoices has ended, inside the caller's transaction:
    an OVERDUE block once nothing is past grace with a balance, OVERDUE → ACTIVE once nothing is
    past due. `today` None: the tenant's today."""
    # Locked as a pass's chunk locks its clients: a chunk deciding from what this settlement
    # has not committed yet is seen through, once it commits, by what is read below.
    client = (
        await Client.filter(id=client_id, tenant_id=tenant_id)
        .select_for_update()
        .using_db(conn)
        .first()
    )
    if client is None or not _under_collections_measures(client):
        return
    tenant = await Tenant.get(id=tenant_id).using_db(conn)
    day = today or today_in(tenant.timezone)
    snapshot = client_snapshot(client)
    invoices = await past_due_invoices(conn, tenant_id, day, client_ids=[client_id])
    status = client_status_change(snapshot, invoices, day)
    block = block_change(snapshot, invoices, tenant_policy(tenant), day)
    # Settling only ever ends collections' measures; starting them is the daily pass's.
    plan = CollectionsPlan(
        client_id=client_id,
        today=day,
        status_change=status if status and status.new == ClientStatus.ACTIVE else None,
        block_change=block if block and block.new is None else None,
    )
    if plan.has_actions:
        await apply_plans(conn, tenant_id, [plan])


async def after_settlements(
    conn: BaseDBAsyncClient, *, tenant_id: int, client_ids: Sequence[int], today: date | None = None
) -> None:
    """`after_settlement` for many clients settled at once (a bank statement's payments): only
    the overdue or OVERDUE-blocked among them, found in one query, can have anything lifted."""
    held = (
        await Client.filter(tenant_id=tenant_id, id__in=list(client_ids))
        .filter(Q(status=ClientStatus.OVERDUE) | Q(blocked_reason=BlockedReason.OVERDUE))
        .using_db(conn)
        .values_list("id", flat=True)
    )
    for client_id in sorted(held):
        await after_settlement(conn, tenant_id=tenant_id, client_id=client_id, today=today)


def _under_collections_measures(client: Client) -> bool:
    """Overdue, or blocked by collections: what a settlement may end."""
    return client.status == ClientStatus.OVERDUE or client.blocked_reason == BlockedReason.OVERDUE


async def set_client_blocked(
    *, tenant_id: int, user_id: int | None, client_id: int, blocked: bool
) -> Client:
    """Block the client by hand (MANUAL) or lift any block; NOT_FOUND for another tenant's or
    no client. Blocking a client already blocked by hand, or unblocking one not blocked, changes
    nothing and records nothing."""
    async with in_transaction() as conn:
        client = (
            await Client.filter(id=client_id, tenant_id=tenant_id)
            .select_for_update()
            .using_db(conn)
            .first()
        )
        if client is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such client.", field="clientId")
        before = blocked_reason_of(client.blocked, client.blocked_reason)
        after = BlockedReason.MANUAL if blocked else None
        if before == after:
            return client
        client.blocked = blocked
        client.blocked_reason = after
        await client.save(using_db=conn, update_fields=["blocked", "blocked_reason"])
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.BLOCK if blocked else AuditAction.UNBLOCK,
            detail={
                "client_id": client.id,
                "reason": BlockedReason.MANUAL.value,
                "was": before.value if before else None,
            },
            using_db=conn,
        )
    return client
