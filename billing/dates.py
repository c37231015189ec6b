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


# How far ahead of today a run may bill. A run bills every period that starts on or before its
# date, so a date further ahead bills months in advance (a run dated ten years on issued 120
# monthly lines per client). One month reaches the next cycle date of every tenant.
MONTHS_AHEAD_ALLOWED = 1


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


def latest_billing_date(today: date) -> date:
    """The last date a run may bill: one month after today (the month's last day where the
    next month is shorter)."""
    return add_months(today, MONTHS_AHEAD_ALLOWED, today.day)


def billing_date_problem(run_date: date, today: date, first_service_day: date | None) -> str | None:
    """Why a run may not bill on this date, in words, or None.

    Refused: more than a month ahead of today (it would bill periods in advance), and before the
    tenant's first service day (the earliest period or charge it has to bill: nothing of the
    tenant's was billable then)."""
    latest = latest_billing_date(today)
    if run_date > latest:
        return (
            f"The billing date {run_date.isoformat()} is more than a month ahead of today "
            f"({today.isoformat()}): a run bills every period starting on or before its date, "
            f"so it would bill months in advance. Choose {latest.isoformat()} or earlier."
        )
    if first_service_day is not None and run_date < first_service_day:
        return (
            f"The billing date {run_date.isoformat()} is before the tenant's first service day "
            f"({first_service_day.isoformat()}): there is nothing to bill then. Choose "
            f"{first_service_day.isoformat()} or later."
        )
    return None
