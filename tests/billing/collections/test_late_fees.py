"""Late fees: once per invoice past grace with a balance, fixed or a percent rounded half up to
the currency's minor unit, the larger where both are set."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing.collections.decisions import LateFee, late_fee_due
from billing.collections.policy import CollectionsPolicy, collections_policy
from billing.money import from_minor_units, to_minor_units
from tests.billing.collections.builders import CLIENT_ID, owed_invoice

DUE = date(2026, 3, 2)
FIXED_FEE = CollectionsPolicy(late_fee_amount=500)


def test_no_fee_until_the_day_after_the_grace_date() -> None:
    invoice = owed_invoice(DUE, grace_days=10)
    assert late_fee_due(invoice, FIXED_FEE, invoice.grace_until) is None
    after_grace = invoice.grace_until + timedelta(days=1)
    assert late_fee_due(invoice, FIXED_FEE, after_grace) == LateFee(
        invoice_id=1,
        client_id=CLIENT_ID,
        amount=500,
        description="Late fee for INV-000001",
        scheduled_on=after_grace,
    )


def test_a_fee_is_added_once_per_invoice() -> None:
    invoice = owed_invoice(DUE, late_fee_added=True)
    assert late_fee_due(invoice, FIXED_FEE, DUE + timedelta(days=40)) is None


@pytest.mark.parametrize(
    ("status", "balance"), [("paid", 0), ("void", 5000), ("draft", 5000), ("partial", 0)]
)
def test_no_fee_on_an_invoice_with_nothing_owed(status: str, balance: int) -> None:
    invoice = owed_invoice(DUE, status=status, balance=balance)
    assert late_fee_due(invoice, FIXED_FEE, DUE + timedelta(days=40)) is None


def test_no_fee_without_a_fee_setting() -> None:
    assert late_fee_due(owed_invoice(DUE), CollectionsPolicy(), DUE + timedelta(days=40)) is None


def test_no_fee_where_it_comes_to_nothing() -> None:
    policy = CollectionsPolicy(late_fee_percent=Decimal("0.4"))
    assert late_fee_due(owed_invoice(DUE, balance=100), policy, DUE + timedelta(days=40)) is None


@pytest.mark.parametrize(
    ("currency", "balance", "percent", "fee"),
    [
        ("EUR", "123.45", "2.5", "3.09"),
        ("JPY", "12345", "2.5", "309"),
        ("BHD", "12.345", "2.5", "0.309"),
        # Exactly half a minor unit rounds up (half-even would give 0.50, 50 and 0.050).
        ("EUR", "10.10", "5", "0.51"),
        ("JPY", "1010", "5", "51"),
        ("BHD", "1.010", "5", "0.051"),
    ],
)
def test_percent_fee_is_rounded_half_up_to_the_minor_unit(
    currency: str, balance: str, percent: str, fee: str
) -> None:
    policy = collections_policy({"late_fee_percent": Decimal(percent)}, currency)
    invoice = owed_invoice(DUE, balance=to_minor_units(balance, currency))
    added = late_fee_due(invoice, policy, DUE + timedelta(days=40))
    assert added is not None
    assert from_minor_units(added.amount, currency) == Decimal(fee)


@pytest.mark.parametrize(("balance", "fee"), [("30.00", "5.00"), ("80.00", "8.00")])
def test_with_both_fee_settings_the_larger_applies(balance: str, fee: str) -> None:
    policy = collections_policy(
        {"late_fee_amount": Decimal("5.00"), "late_fee_percent": Decimal(10)}, "EUR"
    )
    invoice = owed_invoice(DUE, balance=to_minor_units(balance, "EUR"))
    added = late_fee_due(invoice, policy, DUE + timedelta(days=40))
    assert added is not None
    assert from_minor_units(added.amount, "EUR") == Decimal(fee)
