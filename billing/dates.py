"""Run-date logic of the bulk-run page: locked date, due and grace dates, the safety lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from billing.periods import add_months

MANUAL_RUN_DISABLED_REASON = (
    "Manual runs are disabled while “Generate invoices automatically on the billing schedule” "
    "is on in Settings → Invoices."
)


@dataclass(frozen=True, slots=True)
class InvoiceTerms:
    payment_terms_days: int
    grace_period_days: int
    billing_cycle_day: int | None
    auto_generate: bool
    timezone: str


@dataclass(frozen=True, slots=True)
class RunDates:
    run_date: date
    locked: bool
    due_date: date
    grace_date: date
    manual_run_allowed: bool
    blocked_reason: str | None


def today_in(timezone: str, now: datetime | None = None) -> date:
    """Today's date where the tenant is (billing dates are the tenant's calendar days)."""
    moment = now or datetime.now(UTC)
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        # A broken setting must not hide the page: runs refuse it as a preflight error.
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def next_cycle_date(cycle_day: int, today: date) -> date:
    """The next date on or after today that falls on the cycle day (1 to 28)."""
    if today.day <= cycle_day:
        return today.replace(day=cycle_day)
    return add_months(today.replace(day=1), 1, cycle_day)


def due_date(run_date: date, payment_terms_days: int) -> date:
    return run_date + timedelta(days=payment_terms_days)


def grace_date(due: date, grace_period_days: int) -> date:
    return due + timedelta(days=grace_period_days)


def plan_run_dates(terms: InvoiceTerms, chosen: date | None, today: date) -> RunDates:
    """The date a run bills: the locked cycle date where one is configured, else the chosen date
    (today when none is chosen), with its due and grace dates and whether a person may start it."""
    locked = terms.billing_cycle_day is not None
    if terms.billing_cycle_day is not None:
        run_date = next_cycle_date(terms.billing_cycle_day, today)
    else:
        run_date = chosen or today
    due = due_date(run_date, terms.payment_terms_days)
    return RunDates(
        run_date=run_date,
        locked=locked,
        due_date=due,
        grace_date=grace_date(due, terms.grace_period_days),
        manual_run_allowed=not terms.auto_generate,
        blocked_reason=MANUAL_RUN_DISABLED_REASON if terms.auto_generate else None,
    )
