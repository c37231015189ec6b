"""A tenant's invoice settings: the rules written once, which the import applies to a file's
settings and a run applies to the stored tenant before it bills anyone (and Settings → Invoices
can apply to what a user types).

Each rule takes a value as it arrives (possibly of the wrong type) and returns what is wrong with
it in words ("must …"), or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billing.money import AmountError, minor_unit_digits
from billing.text import single_line_text_problem

if TYPE_CHECKING:
    from orm.models import Tenant

MAX_TERMS_DAYS = 365
FIRST_CYCLE_DAY, LAST_CYCLE_DAY = 1, 28
MAX_PREFIX_LENGTH = 32
CURRENCY_CODE = re.compile(r"[A-Z]{3}")

SettingRule = Callable[[Any], str | None]


def whole_days_problem(value: Any) -> str | None:
    """Payment terms and grace periods: whole days from 0 to 365."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERMS_DAYS:
        return f"must be a whole number from 0 to {MAX_TERMS_DAYS}"
    return None


def billing_cycle_day_problem(value: Any) -> str | None:
    """A day of the month every month has (1 to 28), or None for no billing cycle day."""
    if value is None:
        return None
    in_range = isinstance(value, int) and FIRST_CYCLE_DAY <= value <= LAST_CYCLE_DAY
    if isinstance(value, bool) or not in_range:
        return f"must be a whole number from {FIRST_CYCLE_DAY} to {LAST_CYCLE_DAY}"
    return None


def invoice_number_prefix_problem(value: Any) -> str | None:
    """One line of at most 32 characters; empty gives plain numbers."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_PREFIX_LENGTH:
        return f"must be at most {MAX_PREFIX_LENGTH} characters"
    return single_line_text_problem(value)


def currency_problem(value: Any) -> str | None:
    """Why the value is no currency an invoice can be in: an ISO 4217 code with a minor unit."""
    if not (isinstance(value, str) and CURRENCY_CODE.fullmatch(value)):
        return "must be 3 upper-case letters (an ISO 4217 code such as USD)"
    try:
        minor_unit_digits(value)
    except AmountError:
        return "must be an ISO 4217 currency code with a minor unit (e.g. USD)"
    return None


def timezone_problem(value: Any) -> str | None:
    message = "must be a time zone name from the tz database (e.g. America/Chicago)"
    if not isinstance(value, str) or not value or len(value) > 64:
        return message
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return message
    return None


def billing_schedule_problem(auto_generate: Any, billing_cycle_day: Any) -> str | None:
    """Automatic runs start on the billing cycle day: without one, nothing is ever billed."""
    if auto_generate is True and billing_cycle_day is None:
        return (
            "must not be on without a billing_cycle_day: automatic runs start on the billing "
            "cycle day, so the tenant would never be billed"
        )
    return None


SETTING_RULES: dict[str, SettingRule] = {
    "payment_terms_days": whole_days_problem,
    "grace_period_days": whole_days_problem,
    "billing_cycle_day": billing_cycle_day_problem,
    "invoice_number_prefix": invoice_number_prefix_problem,
    "currency": currency_problem,
    "timezone": timezone_problem,
}


def settings_problems(settings: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with the settings given (by name, as SETTING_RULES and `auto_generate`
    name them), as {setting: "must …"}; settings left out are not checked."""
    problems = {
        name: message
        for name, rule in SETTING_RULES.items()
        if name in settings and (message := rule(settings[name]))
    }
    schedule = billing_schedule_problem(
        settings.get("auto_generate"), settings.get("billing_cycle_day")
    )
    if schedule and "billing_cycle_day" not in problems:
        problems["auto_generate"] = schedule
    return problems


def tenant_settings_problems(tenant: Tenant) -> list[str]:
    """What is wrong with a stored tenant's settings, one sentence each; empty when fine."""
    names = [*SETTING_RULES, "auto_generate"]
    problems = settings_problems({name: getattr(tenant, name) for name in names})
    return [f"tenant settings: {name} {message}" for name, message in problems.items()]
