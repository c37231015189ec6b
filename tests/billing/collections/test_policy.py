"""Collections settings: what Settings → Invoices accepts, and the policy built from it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from billing.collections.policy import (
    CollectionsPolicy,
    CollectionsSettingsError,
    collections_policy,
    collections_settings_problems,
)
from billing.errors import ErrorCode


@pytest.mark.parametrize(
    ("currency", "amount", "minor_units"),
    [("EUR", "2.50", 250), ("JPY", "500", 500), ("BHD", "1.250", 1250), ("BHD", "0", 0)],
)
def test_late_fee_amount_is_kept_in_the_currencys_minor_units(
    currency: str, amount: str, minor_units: int
) -> None:
    policy = collections_policy({"late_fee_amount": Decimal(amount)}, currency)
    assert policy.late_fee_amount == minor_units


def test_valid_settings_make_the_policy() -> None:
    settings = {
        "reminder_days": [1, 7, 14],
        "late_fee_amount": Decimal("5.00"),
        "late_fee_percent": Decimal("1.5"),
        "block_after_grace": True,
        "holiday_country": "DE",
        "skip_non_working_days": True,
    }
    assert collections_policy(settings, "EUR") == CollectionsPolicy(
        reminder_days=(1, 7, 14),
        late_fee_amount=500,
        late_fee_percent=Decimal("1.5"),
        block_after_grace=True,
        holiday_country="DE",
        skip_non_working_days=True,
    )


def test_settings_left_out_are_off() -> None:
    policy = collections_policy({}, "USD")
    assert policy == CollectionsPolicy()
    assert not policy.charges_late_fees


@pytest.mark.parametrize(
    ("days", "problem"),
    [
        ([0, 7], "must be days 1 to 365 after the due date"),
        ([1, 366], "must be days 1 to 365 after the due date"),
        ([7, 1], "must be in ascending order, each day once (e.g. 1, 7, 14)"),
        ([1, 7, 7], "must be in ascending order, each day once (e.g. 1, 7, 14)"),
        (list(range(1, 12)), "must have at most 10 reminder levels"),
        ([1, "7"], "must be whole numbers of days"),
        ([True], "must be whole numbers of days"),
        ([1.0], "must be whole numbers of days"),
        ("1,7", "must be a list of whole days"),
        (None, "must be a list of whole days"),
    ],
)
def test_reminder_days_refused(days: Any, problem: str) -> None:
    assert collections_settings_problems({"reminder_days": days}, "EUR") == {
        "reminder_days": problem
    }


@pytest.mark.parametrize("days", [[], [1], [1, 7, 14], list(range(1, 11)), [365]])
def test_reminder_days_accepted(days: list[int]) -> None:
    assert collections_settings_problems({"reminder_days": days}, "EUR") == {}


@pytest.mark.parametrize(
    ("currency", "amount", "problem"),
    [
        ("EUR", Decimal("-1"), "must be 0 or more"),
        ("EUR", Decimal("2.505"), "must be an amount with at most 2 decimal places for EUR"),
        ("JPY", Decimal("5.5"), "must be an amount with at most 0 decimal places for JPY"),
        ("BHD", Decimal("1.2345"), "must be an amount with at most 3 decimal places for BHD"),
        ("EUR", 2.5, "must be a decimal amount"),
        ("EUR", "lots", "must be an amount with at most 2 decimal places for EUR"),
    ],
)
def test_late_fee_amount_refused(currency: str, amount: Any, problem: str) -> None:
    assert collections_settings_problems({"late_fee_amount": amount}, currency) == {
        "late_fee_amount": problem
    }


@pytest.mark.parametrize(
    ("percent", "problem"),
    [
        (Decimal("-0.01"), "must be a percent from 0 to 100"),
        (Decimal("100.01"), "must be a percent from 0 to 100"),
        (Decimal("NaN"), "must be a percent from 0 to 100"),
        (Decimal("2.555"), "must have at most 2 decimal places"),
        (2.5, "must be a decimal percent"),
        ("lots", "must be a decimal percent"),
        (True, "must be a decimal percent"),
    ],
)
def test_late_fee_percent_refused(percent: Any, problem: str) -> None:
    assert collections_settings_problems({"late_fee_percent": percent}, "EUR") == {
        "late_fee_percent": problem
    }


@pytest.mark.parametrize(
    "percent", [None, Decimal(0), Decimal("2.55"), Decimal("100.00"), 3, "1.5"]
)
def test_late_fee_percent_accepted(percent: Any) -> None:
    assert collections_settings_problems({"late_fee_percent": percent}, "EUR") == {}


@pytest.mark.parametrize("country", ["XX", "de", "DEU", 49])
def test_unknown_holiday_country_refused(country: Any) -> None:
    problems = collections_settings_problems({"holiday_country": country}, "EUR")
    assert list(problems) == ["holiday_country"]


@pytest.mark.parametrize("name", ["block_after_grace", "skip_non_working_days"])
def test_switches_must_be_true_or_false(name: str) -> None:
    assert collections_settings_problems({name: "yes"}, "EUR") == {name: "must be true or false"}


def test_wrong_settings_are_refused_together_and_nothing_is_built() -> None:
    settings = {"reminder_days": [7, 1], "late_fee_percent": Decimal(101), "holiday_country": "DE"}
    with pytest.raises(CollectionsSettingsError) as refused:
        collections_policy(settings, "EUR")
    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert set(refused.value.problems) == {"reminder_days", "late_fee_percent"}
    assert refused.value.field == "reminder_days"
    assert "late_fee_percent must be a percent from 0 to 100" in refused.value.message


@pytest.mark.parametrize(
    "fields",
    [
        {"reminder_days": (3, 2)},
        {"late_fee_amount": -1},
        {"late_fee_amount": Decimal("2.50")},
        {"late_fee_percent": Decimal("250")},
        {"holiday_country": "Narnia"},
    ],
)
def test_a_policy_cannot_hold_invalid_values(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="invalid collections policy"):
        CollectionsPolicy(**fields)
