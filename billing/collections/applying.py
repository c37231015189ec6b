"""Applying collections plans in the caller's transaction, each action once and audited.

Every write is conditional on what the plan was decided from, and says which rows it changed:
a reminder level or late fee another transaction claimed first is not claimed again (unique keys,
`ON CONFLICT DO NOTHING`), a client whose status or block changed since is left alone (`WHERE
status = old`), and only the rows really changed get an audit record. An OVERDUE block is only
put on a client that is not blocked, so it never replaces a MANUAL block.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.audit.actions import AuditAction
from billing.clients.eligibility import BlockedReason, ChargeStatus
from billing.collections.decisions import CollectionsPlan, LateFee, ReminderDue
from billing.collections.passes import ReminderTrigger, late_fee_key
from orm.bulk import insert_new_rows, insert_rows
from orm.db import placeholders


@dataclass(slots=True)
class AppliedActions:
    """What a set of plans really changed."""

    reminder_ids: list[int] = field(default_factory=list)
    late_fee_charge_ids: list[int] = field(default_factory=list)
    status_changes: int = 0
    blocked: int = 0
    unblocked: int = 0


async def apply_plans(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    plans: Sequence[CollectionsPlan],
    *,
    user_id: int | None = None,
) -> AppliedActions:
    """Claim the reminders, add the late fees, change statuses and blocks of the plans."""
    applied = AppliedActions()
    events: list[_Event] = []
    if not plans:
        return applied
    today = plans[0].today
    reminders = [reminder for plan in plans for reminder in plan.reminders]
    applied.reminder_ids = await claim_reminders(conn, tenant_id, reminders, ReminderTrigger.AUTO)
    fees = [fee for plan in plans for fee in plan.late_fees]
    added = await _add_late_fees(conn, tenant_id, fees)
    applied.late_fee_charge_ids = [charge_id for charge_id, _ in added]
    events += [
        _event(
            tenant_id,
            user_id,
            AuditAction.LATE_FEE,
            {"client_id": fee.client_id, "charge_id": charge_id, "amount_cents": fee.amount},
            invoice_id=fee.invoice_id,
        )
        for charge_id, fee in added
    ]
    status_events = await _change_statuses(conn, tenant_id, plans, user_id, today)
    applied.status_changes = len(status_events)
    block_events = await _change_blocks(conn, tenant_id, plans, user_id, today)
    applied.blocked = sum(event.action == AuditAction.BLOCK for event in block_events)
    applied.unblocked = len(block_events) - applied.blocked
    events += status_events + block_events
    await _record(conn, events)
    return applied


async def claim_reminders(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    reminders: Sequence[ReminderDue],
    trigger: ReminderTrigger,
) -> list[int]:
    """Claim each reminder level (unique per invoice); the ids of the claims made now."""
    now = datetime.now(UTC)
    rows = [
        (tenant_id, reminder.invoice_id, reminder.level, trigger.value, now)
        for reminder in reminders
    ]
    claimed = await insert_new_rows(
        conn,
        "invoice_reminders",
        ("tenant_id", "invoice_id", "level", "trigger", "claimed_at"),
        rows,
        unique=("invoice_id", "level"),
        returning=("id",),
    )
    return [int(row["id"]) for row in claimed]


async def _add_late_fees(
    conn: BaseDBAsyncClient, tenant_id: int, fees: Sequence[LateFee]
) -> list[tuple[int, LateFee]]:
    """Pending one-time charges, one per invoice (its key); those added now, with their ids."""
    by_key = {late_fee_key(fee.invoice_id): fee for fee in fees}
    rows = [
        (
            tenant_id,
            fee.client_id,
            key,
            fee.description,
            fee.amount,
            fee.scheduled_on,
            ChargeStatus.PENDING.value,
        )
        for key, fee in by_key.items()
    ]
    added = await insert_new_rows(
        conn,
        "charges",
        ("tenant_id", "client_id", "key", "description", "amount_cents", "scheduled_on", "status"),
        rows,
        unique=("client_id", "key"),
        returning=("id", "key"),
    )
    return [(int(row["id"]), by_key[row["key"]]) for row in added]


async def _change_statuses(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    plans: Sequence[CollectionsPlan],
    user_id: int | None,
    today: date,
) -> list[_Event]:
    """Active ↔ overdue, each client only from the status the plan saw."""
    moves: dict[tuple[str, str], list[int]] = defaultdict(list)
    for plan in plans:
        if plan.status_change is not None:
            change = plan.status_change
            moves[(str(change.old), str(change.new))].append(plan.client_id)
    events = []
    for (old, new), client_ids in moves.items():
        changed = await _update_clients(
            conn, "status = {}", [new], tenant_id, client_ids, "status = {}", [old]
        )
        events += [
            _event(
                tenant_id,
                user_id,
                AuditAction.CLIENT_STATUS,
                {"client_id": client_id, "old": old, "new": new, "day": today.isoformat()},
            )
            for client_id in changed
        ]
    return events


async def _change_blocks(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    plans: Sequence[CollectionsPlan],
    user_id: int | None,
    today: date,
) -> list[_Event]:
    """Block (OVERDUE) clients not blocked; lift the OVERDUE blocks, never a MANUAL one."""
    to_block = [
        plan.client_id
        for plan in plans
        if plan.block_change is not None and plan.block_change.new is BlockedReason.OVERDUE
    ]
    to_lift = [
        plan.client_id
        for plan in plans
        if plan.block_change is not None and plan.block_change.new is None
    ]
    blocked = await block_overdue_clients(conn, tenant_id, to_block)
    lifted = await lift_overdue_blocks(conn, tenant_id, to_lift)
    detail = {"reason": BlockedReason.OVERDUE.value, "day": today.isoformat()}
    return [
        _event(tenant_id, user_id, AuditAction.BLOCK, {"client_id": client_id, **detail})
        for client_id in blocked
    ] + [
        _event(tenant_id, user_id, AuditAction.UNBLOCK, {"client_id": client_id, **detail})
        for client_id in lifted
    ]


async def block_overdue_clients(
    conn: BaseDBAsyncClient, tenant_id: int, client_ids: Sequence[int]
) -> list[int]:
    """Block the clients that are not blocked (reason OVERDUE); the ids blocked now."""
    return await _update_clients(
        conn,
        "blocked = {}, blocked_reason = {}",
        [True, BlockedReason.OVERDUE.value],
        tenant_id,
        client_ids,
        "blocked = {}",
        [False],
    )


async def lift_overdue_blocks(
    conn: BaseDBAsyncClient, tenant_id: int, client_ids: Sequence[int]
) -> list[int]:
    """Lift the clients' OVERDUE blocks (a MANUAL block stays); the ids unblocked now."""
    return await _update_clients(
        conn,
        "blocked = {}, blocked_reason = NULL",
        [False],
        tenant_id,
        client_ids,
        "blocked = {} AND blocked_reason = {}",
        [True, BlockedReason.OVERDUE.value],
    )


async def _update_clients(
    conn: BaseDBAsyncClient,
    assignments: str,
    values: list[object],
    tenant_id: int,
    client_ids: Sequence[int],
    condition: str,
    condition_values: list[object],
) -> list[int]:
    """UPDATE the tenant's clients among `client_ids` that meet `condition`; their ids. The
    `{}` in `assignments` and `condition` become parameter markers, in order."""
    if not client_ids:
        return []
    params = [*values, *condition_values, tenant_id, *client_ids]
    marks = iter(placeholders(conn, len(params)))
    set_sql = assignments.format(*(next(marks) for _ in values))
    where_sql = condition.format(*(next(marks) for _ in condition_values))
    tenant_mark = next(marks)
    id_marks = ", ".join(next(marks) for _ in client_ids)
    rows = await conn.execute_query_dict(
        f"UPDATE clients SET {set_sql} WHERE {where_sql} AND tenant_id = {tenant_mark} "
        f"AND id IN ({id_marks}) RETURNING id",
        params,
    )
    return sorted(int(row["id"]) for row in rows)


@dataclass(frozen=True, slots=True)
class _Event:
    """An audit record to write (`billing.audit.trail`'s, for many at once)."""

    tenant_id: int
    user_id: int | None
    action: AuditAction
    detail: dict[str, object]
    invoice_id: int | None


def _event(
    tenant_id: int,
    user_id: int | None,
    action: AuditAction,
    detail: dict[str, object],
    *,
    invoice_id: int | None = None,
) -> _Event:
    return _Event(tenant_id, user_id, action, detail, invoice_id)


async def _record(conn: BaseDBAsyncClient, events: Sequence[_Event]) -> None:
    """The audit records, written in bulk in the caller's transaction (thousands per chunk)."""
    now = datetime.now(UTC)
    await insert_rows(
        conn,
        "audit_events",
        ("tenant_id", "user_id", "action", "invoice_id", "detail", "created_at"),
        [
            (
                event.tenant_id,
                event.user_id,
                event.action.value,
                event.invoice_id,
                json.dumps(event.detail, separators=(",", ":")),
                now,
            )
            for event in events
        ],
    )
