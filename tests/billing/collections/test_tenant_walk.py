"""Thirty days of one tenant's collections: issue, due, reminders at days 1, 7 and 14 after the
due date, the late fee and the block after grace, then payment lifting the block at once."""

from __future__ import annotations

from datetime import date, timedelta

from billing.collections.decisions import BlockedReason
from billing.collections.policy import collections_policy
from billing.dates import due_date, grace_date
from tests.billing.collections.builders import client, owed_invoice
from tests.billing.collections.ledger import CollectionsLedger

ISSUED = date(2026, 3, 1)
PAYMENT_TERMS_DAYS, GRACE_PERIOD_DAYS = 5, 10


def walk_days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


def test_thirty_days_of_collections_for_one_tenant() -> None:
    policy = collections_policy(
        {
            "reminder_days": [1, 7, 14],
            "late_fee_amount": "2.50",
            "late_fee_percent": "5",
            "block_after_grace": True,
        },
        "EUR",
    )
    due = due_date(ISSUED, PAYMENT_TERMS_DAYS)
    invoice = owed_invoice(due, grace_days=GRACE_PERIOD_DAYS, balance=10000, invoice_id=42)
    assert invoice.grace_until == grace_date(due, GRACE_PERIOD_DAYS)
    ledger = CollectionsLedger(policy, client("active"), {42: invoice})

    for today in walk_days(ISSUED, 30):
        if today == date(2026, 3, 22):
            ledger.pay(42, 4000, today)
        if today == date(2026, 3, 25):
            ledger.pay(42, 6000, today)
            assert ledger.client.blocked_reason is None
        ledger.daily_pass(today)

    assert ledger.events == [
        (date(2026, 3, 7), "reminder 1 for INV-000042"),
        (date(2026, 3, 7), "status overdue"),
        (date(2026, 3, 13), "reminder 2 for INV-000042"),
        (date(2026, 3, 17), "Late fee for INV-000042: 500"),
        (date(2026, 3, 17), "blocked overdue"),
        (date(2026, 3, 20), "reminder 3 for INV-000042"),
        (date(2026, 3, 22), "payment 4000 for INV-000042"),
        (date(2026, 3, 25), "payment 6000 for INV-000042"),
        (date(2026, 3, 25), "status active"),
        (date(2026, 3, 25), "unblocked"),
    ]


def test_after_an_outage_only_the_latest_level_goes_out_then_the_next_on_its_day() -> None:
    policy = collections_policy({"reminder_days": [1, 7, 14], "block_after_grace": True}, "EUR")
    due = due_date(ISSUED, PAYMENT_TERMS_DAYS)
    ledger = CollectionsLedger(policy, client("active"), {1: owed_invoice(due, grace_days=30)})
    outage = walk_days(date(2026, 3, 7), 12)
    for today in walk_days(ISSUED, 30):
        if today not in outage:
            ledger.daily_pass(today)
    reminders = [event for event in ledger.events if event[1].startswith("reminder")]
    assert reminders == [
        (date(2026, 3, 19), "reminder 2 for INV-000001"),
        (date(2026, 3, 20), "reminder 3 for INV-000001"),
    ]
    assert ledger.client.blocked_reason is None


def test_a_manual_block_outlasts_the_payment() -> None:
    policy = collections_policy({"block_after_grace": True}, "EUR")
    due = due_date(ISSUED, PAYMENT_TERMS_DAYS)
    ledger = CollectionsLedger(policy, client("active"), {1: owed_invoice(due, balance=700)})
    ledger.set_blocked_by_hand(True, ISSUED)
    for today in walk_days(ISSUED, 30):
        ledger.daily_pass(today)
        if today == date(2026, 3, 20):
            ledger.pay(1, 700, today)
    assert ledger.client.blocked_reason is BlockedReason.MANUAL
    assert ledger.client.status == "active"
