"""Properties over random payments, clock jumps, setting changes and hand blocks: a client is
blocked by collections exactly while an invoice is past grace with a balance and the tenant blocks
after grace; a person's block stays; no reminder level or late fee goes out twice."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.collections.decisions import BlockedReason
from billing.collections.policy import CollectionsPolicy
from tests.billing.collections.builders import client, owed_invoice
from tests.billing.collections.ledger import CollectionsLedger

START = date(2026, 1, 5)

policies = st.builds(
    CollectionsPolicy,
    reminder_days=st.lists(st.integers(1, 40), max_size=4, unique=True).map(
        lambda days: tuple(sorted(days))
    ),
    late_fee_amount=st.one_of(st.none(), st.integers(0, 1000)),
    block_after_grace=st.booleans(),
)

invoice_terms = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 15), st.integers(1, 10_000)),
    min_size=1,
    max_size=3,
)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.integers(1, 12)),
        st.tuples(st.just("pay"), st.integers(0, 2), st.integers(1, 10_000)),
        st.tuples(st.just("toggle_blocking")),
        st.tuples(st.just("block_by_hand"), st.booleans()),
    ),
    max_size=40,
)


def ledger_for(policy: CollectionsPolicy, terms: list[tuple[int, int, int]]) -> CollectionsLedger:
    invoices = {
        number: owed_invoice(
            START + timedelta(days=due_in), grace_days=grace, balance=balance, invoice_id=number
        )
        for number, (due_in, grace, balance) in enumerate(terms, start=1)
    }
    return CollectionsLedger(policy, client("active"), invoices)


def take_step(ledger: CollectionsLedger, step: tuple, today: date) -> date:
    """Apply one step; the day after it. Every step is followed by the plan (the daily pass, the
    settling transaction, the settings or block change applying the block rules at once)."""
    match step:
        case ("advance", days):
            today += timedelta(days=days)
            ledger.daily_pass(today)
        case ("pay", index, amount):
            invoice = list(ledger.invoices.values())[index % len(ledger.invoices)]
            if invoice.balance:
                ledger.pay(invoice.invoice_id, min(amount, invoice.balance), today)
        case ("toggle_blocking",):
            blocking = not ledger.policy.block_after_grace
            ledger.policy = replace(ledger.policy, block_after_grace=blocking)
            ledger.settle(today)
        case ("block_by_hand", blocked):
            ledger.set_blocked_by_hand(blocked, today)
    return today


@settings(max_examples=300, deadline=None)
@given(policy=policies, terms=invoice_terms, steps=steps)
def test_blocked_by_collections_iff_past_grace_with_a_balance_and_blocking_on(
    policy: CollectionsPolicy, terms: list[tuple[int, int, int]], steps: list[tuple]
) -> None:
    ledger = ledger_for(policy, terms)
    today = START
    blocked_by_hand = False
    for step in steps:
        today = take_step(ledger, step, today)
        if step[0] == "block_by_hand":
            blocked_by_hand = step[1]
        past_grace = any(invoice.is_past_grace(today) for invoice in ledger.invoices.values())
        past_due = any(invoice.is_past_due(today) for invoice in ledger.invoices.values())
        if blocked_by_hand:
            assert ledger.client.blocked_reason is BlockedReason.MANUAL
        else:
            blocked = ledger.client.blocked_reason is BlockedReason.OVERDUE
            assert blocked == (ledger.policy.block_after_grace and past_grace)
        assert ledger.client.status == ("overdue" if past_due else "active")


@settings(max_examples=300, deadline=None)
@given(policy=policies, terms=invoice_terms, steps=steps)
def test_no_reminder_level_or_late_fee_goes_out_twice(
    policy: CollectionsPolicy, terms: list[tuple[int, int, int]], steps: list[tuple]
) -> None:
    ledger = ledger_for(policy, terms)
    today = START
    for step in steps:
        today = take_step(ledger, step, today)
    sent = Counter(text for _, text in ledger.events if text.startswith(("reminder", "Late fee")))
    assert all(count == 1 for count in sent.values())
    reminders_per_day = Counter(
        (day, text.rsplit(" ", 1)[-1]) for day, text in ledger.events if text.startswith("reminder")
    )
    assert all(count == 1 for count in reminders_per_day.values())
