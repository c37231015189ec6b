"""A client's status (active ↔ overdue) and its block: OVERDUE by collections, MANUAL by a
person."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from billing.collections.decisions import (
    BlockChange,
    BlockedReason,
    ClientSnapshot,
    StatusChange,
    block_change,
    blocked_reason_of,
    client_status_change,
    plan_collections,
)
from billing.collections.policy import CollectionsPolicy
from tests.billing.collections.builders import client, owed_invoice, paid

DUE = date(2026, 3, 2)
INVOICE = owed_invoice(DUE, grace_days=10)
PAST_GRACE = INVOICE.grace_until + timedelta(days=1)
BLOCKING = CollectionsPolicy(block_after_grace=True)
NOT_BLOCKING = CollectionsPolicy(block_after_grace=False)


def test_an_active_client_with_an_invoice_past_due_becomes_overdue() -> None:
    assert client_status_change(client("active"), [INVOICE], DUE) is None
    assert client_status_change(client("active"), [INVOICE], DUE + timedelta(days=1)) == (
        StatusChange("active", "overdue")
    )


def test_an_overdue_client_with_nothing_past_due_is_active_again() -> None:
    later = DUE + timedelta(days=3)
    assert client_status_change(client("overdue"), [paid(INVOICE)], later) == (
        StatusChange("overdue", "active")
    )
    assert client_status_change(client("overdue"), [INVOICE], later) is None


@pytest.mark.parametrize("status", ["suspended", "inactive"])
def test_suspended_and_inactive_clients_keep_their_status(status: str) -> None:
    assert client_status_change(client(status), [INVOICE], DUE + timedelta(days=3)) is None


@pytest.mark.parametrize("status", ["draft", "void"])
def test_a_draft_or_void_invoice_makes_nobody_overdue(status: str) -> None:
    invoice = owed_invoice(DUE, status=status)
    assert client_status_change(client("active"), [invoice], DUE + timedelta(days=3)) is None


def test_past_grace_blocks_with_reason_overdue_where_the_tenant_blocks() -> None:
    assert block_change(client(), [INVOICE], BLOCKING, INVOICE.grace_until) is None
    assert block_change(client(), [INVOICE], BLOCKING, PAST_GRACE) == (
        BlockChange(None, BlockedReason.OVERDUE)
    )


def test_past_grace_blocks_nobody_where_the_tenant_does_not_block() -> None:
    assert block_change(client(), [INVOICE], NOT_BLOCKING, PAST_GRACE) is None


def test_an_overdue_block_is_lifted_once_nothing_is_past_grace() -> None:
    blocked = client("overdue", BlockedReason.OVERDUE)
    assert block_change(blocked, [INVOICE], BLOCKING, PAST_GRACE) is None
    assert block_change(blocked, [paid(INVOICE)], BLOCKING, PAST_GRACE) == (
        BlockChange(BlockedReason.OVERDUE, None)
    )


def test_an_overdue_block_is_lifted_when_the_tenant_stops_blocking() -> None:
    blocked = client("overdue", BlockedReason.OVERDUE)
    assert block_change(blocked, [INVOICE], NOT_BLOCKING, PAST_GRACE) == (
        BlockChange(BlockedReason.OVERDUE, None)
    )


@pytest.mark.parametrize("policy", [BLOCKING, NOT_BLOCKING])
def test_a_manual_block_is_never_lifted_by_collections(policy: CollectionsPolicy) -> None:
    manual = client("active", BlockedReason.MANUAL)
    assert block_change(manual, [paid(INVOICE)], policy, PAST_GRACE) is None
    assert block_change(manual, [], policy, PAST_GRACE) is None


def test_an_overdue_block_never_replaces_a_manual_one() -> None:
    manual = client("overdue", BlockedReason.MANUAL)
    assert block_change(manual, [INVOICE], BLOCKING, PAST_GRACE) is None


def test_a_block_stored_without_a_reason_is_a_manual_one() -> None:
    assert blocked_reason_of(True, None) is BlockedReason.MANUAL
    assert blocked_reason_of(True, "overdue") is BlockedReason.OVERDUE
    assert blocked_reason_of(False, None) is None


def test_the_plan_gathers_the_days_actions_for_the_client() -> None:
    policy = CollectionsPolicy(reminder_days=(1, 20), late_fee_amount=300, block_after_grace=True)
    older = owed_invoice(DUE, invoice_id=1)
    newer = owed_invoice(DUE + timedelta(days=10), invoice_id=2)
    plan = plan_collections(client("active"), [older, newer], policy, PAST_GRACE)
    assert [(r.invoice_id, r.level) for r in plan.reminders] == [(1, 1), (2, 1)]
    assert [(fee.invoice_id, fee.amount) for fee in plan.late_fees] == [(1, 300)]
    assert plan.status_change == StatusChange("active", "overdue")
    assert plan.block_change == BlockChange(None, BlockedReason.OVERDUE)
    assert plan.has_actions


def test_a_settled_client_has_nothing_to_do() -> None:
    policy = CollectionsPolicy(reminder_days=(1,), late_fee_amount=300, block_after_grace=True)
    plan = plan_collections(client("active"), [paid(INVOICE)], policy, PAST_GRACE)
    assert not plan.has_actions


def test_the_plan_refuses_another_clients_invoice() -> None:
    stranger = owed_invoice(DUE)
    with pytest.raises(ValueError, match="not client 8's"):
        plan_collections(ClientSnapshot(8, "active"), [stranger], BLOCKING, DUE)
