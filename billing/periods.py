"""Service period arithmetic: month-based periods that keep their anchor day.

A service anchored on the 31st starts periods on Jan 31, Feb 28 (29 in a leap year), Mar 31…:
the anchor is kept apart from the current period start so a short month does not move it.
A period ends the day before the next one starts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache


class ServicePeriod(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


MONTHS_IN_PERIOD = {
    ServicePeriod.MONTHLY: 1,
    ServicePeriod.QUARTERLY: 3,
    ServicePeriod.SEMIANNUAL: 6,
    ServicePeriod.ANNUAL: 12,
}


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    start: date
    end: date  # inclusive


def add_months(day: date, months: int, anchor_day: int) -> date:
    """The date `months` later on the anchor day, or the month's last day where it is shorter."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor_day, last_day))


def next_period_start(start: date, period: ServicePeriod, anchor_day: int) -> date:
    return add_months(start, MONTHS_IN_PERIOD[ServicePeriod(period)], anchor_day)


def period_starting(start: date, period: ServicePeriod, anchor_day: int) -> BillingPeriod:
    return BillingPeriod(start, next_period_start(start, period, anchor_day) - timedelta(days=1))


# A run asks the same few questions for most of its services (same dates, same anchor days).
@lru_cache(maxsize=8192)
def periods_due(
    next_bill_date: date, period: ServicePeriod, anchor_day: int, run_date: date
) -> tuple[BillingPeriod, ...]:
    """Every period starting on or before the run date, from the next bill date on (in advance)."""
    periods = []
    start = next_bill_date
    while start <= run_date:
        billing_period = period_starting(start, period, anchor_day)
        periods.append(billing_period)
        start = billing_period.end + timedelta(days=1)
    return tuple(periods)
