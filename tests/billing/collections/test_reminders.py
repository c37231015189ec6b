"""Reminder levels: each once per invoice, only the latest after missed days, never on a day off
where the tenant skips them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from billing.collections.decisions import (
    manual_reminder_refusal,
    next_reminder_level,
    reminder_level_due,
)
from billing.collections.policy import CollectionsPolicy
from tests.billing.collections.builders import owed_invoice

DUE = date(2026, 3, 2)
REMINDERS = CollectionsPolicy(reminder_days=(1, 7, 14))


def day(n: int) -> date:
    """The nth day after DUE."""
    return DUE + timedelta(days=n)


def test_no_reminder_until_the_first_level_day() -> None:
    invoice = owed_invoice(DUE)
    assert reminder_level_due(invoice, REMINDERS, DUE) is None
    assert reminder_level_due(invoice, REMINDERS, day(1)) == 1


def test_each_level_goes_out_on_its_day_once() -> None:
    invoice = owed_invoice(DUE)
    sent: list[tuple[int, int]] = []
    for n in range(0, 30):
        if (level := reminder_level_due(invoice, REMINDERS, day(n))) is not None:
            sent.append((n, level))
            invoice = replace(invoice, reminder_levels_sent=invoice.reminder_levels_sent | {level})
    assert sent == [(1, 1), (7, 2), (14, 3)]


def test_after_missed_days_only_the_latest_level_goes_out() -> None:
    invoice = owed_invoice(DUE)
    assert reminder_level_due(invoice, REMINDERS, day(15)) == 3
    after = replace(invoice, reminder_levels_sent=frozenset({3}))
    assert [reminder_level_due(after, REMINDERS, day(n)) for n in range(15, 40)] == [None] * 25


def test_a_missed_second_level_goes_out_alone_after_the_first() -> None:
    invoice = owed_invoice(DUE, levels_sent=frozenset({1}))
    assert reminder_level_due(invoice, REMINDERS, day(10)) == 2


@pytest.mark.parametrize(
    ("status", "balance"),
    [("draft", 5000), ("void", 5000), ("paid", 0), ("unpaid", 0), ("partial", 0)],
)
def test_no_reminder_for_an_invoice_with_nothing_owed(status: str, balance: int) -> None:
    invoice = owed_invoice(DUE, status=status, balance=balance)
    assert reminder_level_due(invoice, REMINDERS, day(1)) is None


def test_a_partly_paid_invoice_is_reminded() -> None:
    assert reminder_level_due(owed_invoice(DUE, status="partial"), REMINDERS, day(1)) == 1


def test_no_reminder_days_means_no_reminders() -> None:
    assert reminder_level_due(owed_invoice(DUE), CollectionsPolicy(), day(30)) is None


def test_a_manual_reminder_counts_as_the_next_level() -> None:
    invoice = owed_invoice(DUE, levels_sent=frozenset({1}))
    assert next_reminder_level(invoice) == 2
    after_manual = replace(invoice, reminder_levels_sent=frozenset({1, 2}))
    assert reminder_level_due(after_manual, REMINDERS, day(7)) is None
    assert reminder_level_due(after_manual, REMINDERS, day(14)) == 3


def test_a_manual_reminder_needs_an_invoice_past_due_with_a_balance() -> None:
    assert manual_reminder_refusal(owed_invoice(DUE), DUE) == (
        "The invoice is not past due: it is due on 2026-03-02."
    )
    assert manual_reminder_refusal(owed_invoice(DUE, status="paid", balance=0), day(5)) == (
        "The invoice has nothing owed: it is a draft, void or paid."
    )
    assert manual_reminder_refusal(owed_invoice(DUE), day(1)) is None


# 2026-12-25 is a Friday: Christmas Day in Germany and Great Britain, where 26 December (Saturday)
# is also a holiday and moves to Monday the 28th; Germany works on the 28th.
CHRISTMAS_EVE = date(2026, 12, 24)


@pytest.mark.parametrize(
    ("country", "first_working_day"),
    [("DE", date(2026, 12, 28)), ("GB", date(2026, 12, 29))],
)
def test_a_reminder_on_a_holiday_goes_out_the_next_working_day(
    country: str | None, first_working_day: date
) -> None:
    policy = CollectionsPolicy(
        reminder_days=(1,), holiday_country=country, skip_non_working_days=True
    )
    invoice = owed_invoice(CHRISTMAS_EVE)
    days = [CHRISTMAS_EVE + timedelta(days=n) for n in range(1, 8)]
    sent_on = [today for today in days if reminder_level_due(invoice, policy, today) == 1]
    expected = [today for today in days if today >= first_working_day]
    assert sent_on == expected


def test_without_a_country_only_weekends_are_skipped() -> None:
    policy = CollectionsPolicy(reminder_days=(1,), skip_non_working_days=True)
    invoice = owed_invoice(CHRISTMAS_EVE)
    days = [CHRISTMAS_EVE + timedelta(days=n) for n in range(1, 6)]
    sent_on = [today for today in days if reminder_level_due(invoice, policy, today) == 1]
    assert sent_on == [date(2026, 12, 25), date(2026, 12, 28), date(2026, 12, 29)]


def test_without_skipping_a_reminder_goes_out_on_the_holiday() -> None:
    policy = CollectionsPolicy(reminder_days=(1,), holiday_country="DE")
    assert reminder_level_due(owed_invoice(CHRISTMAS_EVE), policy, date(2026, 12, 25)) == 1


def test_no_reminder_on_a_weekend_even_for_a_level_due_on_a_missed_friday() -> None:
    friday, saturday, monday = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)
    policy = CollectionsPolicy(reminder_days=(1,), holiday_country="DE", skip_non_working_days=True)
    invoice = owed_invoice(friday - timedelta(days=1))
    assert reminder_level_due(invoice, policy, friday) == 1
    assert reminder_level_due(invoice, policy, saturday) is None
    assert reminder_level_due(invoice, policy, monday) == 1


def test_levels_moved_to_one_working_day_send_only_the_latest() -> None:
    # Due Thursday 2026-12-24: level 1 falls on the 25th and level 2 on the 26th; both move to
    # Monday the 28th in Germany, where only level 2 goes out.
    policy = CollectionsPolicy(
        reminder_days=(1, 2), holiday_country="DE", skip_non_working_days=True
    )
    assert reminder_level_due(owed_invoice(CHRISTMAS_EVE), policy, date(2026, 12, 28)) == 2
