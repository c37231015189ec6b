"""A tenant's collections settings (Settings → Invoices) and the rules a value must meet.

`reminder_days`: days after the due date on which a reminder is emailed, ascending, one reminder
level each (level 1 for the first day). `late_fee_amount` (in the currency's minor units) and
`late_fee_percent` (of the invoice's balance) price the late fee; both set, the larger applies.
`block_after_grace` blocks a client whose invoice is unpaid past its grace date.
`skip_non_working_days` holds reminders back from weekends and the public holidays of
`holiday_country` until the next working day.

Each rule takes a value as it arrives (possibly of the wrong type) and returns what is wrong with
it in words ("must …"), or None, as `billing.tenants.settings` does for the other settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from billing.collections.working_days import holiday_country_problem
from billing.errors import BillingRuleError, ErrorCode
from billing.money import AmountError, minor_unit_digits, to_minor_units
from billing.percents import flag_problem, optional_percent_rule

FIRST_REMINDER_DAY, LAST_REMINDER_DAY = 1, 365
MAX_REMINDER_LEVELS = 10
PERCENT_PLACES = 2


@dataclass(frozen=True, slots=True)
class CollectionsPolicy:
    """What the daily collections pass follows for one tenant; built only from valid values."""

    reminder_days: tuple[int, ...] = ()
    late_fee_amount: int | None = None
    late_fee_percent: Decimal | None = None
    block_after_grace: bool = False
    holiday_country: str | None = None
    skip_non_working_days: bool = False

    def __post_init__(self) -> None:
        problems = {
            "reminder_days": reminder_days_problem(list(self.reminder_days)),
            "late_fee_amount": _stored_fee_problem(self.late_fee_amount),
            "late_fee_percent": late_fee_percent_problem(self.late_fee_percent),
            "holiday_country": holiday_country_problem(self.holiday_country),
        }
        wrong = {name: message for name, message in problems.items() if message}
        if wrong:
            raise ValueError(f"invalid collections policy: {wrong}")

    @property
    def charges_late_fees(self) -> bool:
        return self.late_fee_amount is not None or self.late_fee_percent is not None


class CollectionsSettingsError(BillingRuleError):
    """Collections settings refused; `problems` maps each setting to what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        message = "; ".join(f"{name} {problem}" for name, problem in self.problems.items())
        super().__init__(ErrorCode.INVALID_INPUT, message, next(iter(self.problems), None))


def reminder_days_problem(value: Any) -> str | None:
    """At most 10 whole days from 1 to 365, each later than the one before; empty: no reminders."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        return "must be a list of whole days"
    if len(value) > MAX_REMINDER_LEVELS:
        return f"must have at most {MAX_REMINDER_LEVELS} reminder levels"
    for day in value:
        if isinstance(day, bool) or not isinstance(day, int):
            return "must be whole numbers of days"
        if not FIRST_REMINDER_DAY <= day <= LAST_REMINDER_DAY:
            return f"must be days {FIRST_REMINDER_DAY} to {LAST_REMINDER_DAY} after the due date"
    if any(later <= earlier for earlier, later in pairwise(value)):
        return "must be in ascending order, each day once (e.g. 1, 7, 14)"
    return None


def late_fee_amount_problem(value: Any, currency: str) -> str | None:
    """None (no fixed fee), or an amount of at least 0 with no more places than the currency."""
    if value is None:
        return None
    if isinstance(value, bool | float):
        return "must be a decimal amount"
    try:
        units = to_minor_units(value, currency)
    except AmountError:
        digits = minor_unit_digits(currency)
        return f"must be an amount with at most {digits} decimal places for {currency.upper()}"
    if units < 0:
        return "must be 0 or more"
    return None


# A late fee as a percent of the balance: None, or a percent.
late_fee_percent_problem = optional_percent_rule(PERCENT_PLACES)


def collections_settings_problems(settings: Mapping[str, Any], currency: str) -> dict[str, str]:
    """What is wrong with the collections settings given (amounts in `currency`), as
    {setting: "must …"}; settings left out are not checked."""
    rules = {
        "reminder_days": reminder_days_problem,
        "late_fee_amount": lambda value: late_fee_amount_problem(value, currency),
        "late_fee_percent": late_fee_percent_problem,
        "block_after_grace": flag_problem,
        "holiday_country": holiday_country_problem,
        "skip_non_working_days": flag_problem,
    }
    return {
        name: message
        for name, rule in rules.items()
        if name in settings and (message := rule(settings[name]))
    }


def collections_policy(settings: Mapping[str, Any], currency: str) -> CollectionsPolicy:
    """The policy of the settings (amounts in `currency`; a setting left out is off or empty);
    CollectionsSettingsError naming every wrong setting, where any is wrong."""
    if problems := collections_settings_problems(settings, currency):
        raise CollectionsSettingsError(problems)
    amount = settings.get("late_fee_amount")
    percent = settings.get("late_fee_percent")
    return CollectionsPolicy(
        reminder_days=tuple(settings.get("reminder_days", ())),
        late_fee_amount=None if amount is None else to_minor_units(amount, currency),
        late_fee_percent=None if percent is None else Decimal(percent),
        block_after_grace=settings.get("block_after_grace", False),
        holiday_country=settings.get("holiday_country"),
        skip_non_working_days=settings.get("skip_non_working_days", False),
    )


def _stored_fee_problem(units: Any) -> str | None:
    if units is None:
        return None
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        return "must be 0 or more minor units"
    return None
