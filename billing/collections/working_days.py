"""The tenant's working days: not a weekend day or a public holiday of its country.

Holidays and weekends come from the `holidays` package for the tenant's country (ISO 3166-1
alpha-2); a country whose weekend is not Saturday and Sunday has its own. Without a country only
Saturday and Sunday are days off.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays

SATURDAY_AND_SUNDAY = frozenset({5, 6})


@lru_cache(maxsize=1)
def supported_countries() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes the holiday calendar knows."""
    # The list holds ISO 3166-1 alpha-3 aliases too; the setting is the alpha-2 code.
    return frozenset(code for code in holidays.list_supported_countries() if len(code) == 2)


def holiday_country_problem(value: Any) -> str | None:
    """What is wrong with a country for public holidays, in words ("must …"); None is allowed."""
    if value is None:
        return None
    if isinstance(value, str) and value in supported_countries():
        return None
    return "must be an ISO 3166-1 alpha-2 country code the holiday calendar knows (e.g. DE)"


@lru_cache(maxsize=512)
def days_off(country: str | None, year: int) -> tuple[frozenset[int], frozenset[date]]:
    """The weekdays off (Monday 0) and the public holidays of the country in the year."""
    if country is None:
        return SATURDAY_AND_SUNDAY, frozenset()
    calendar = holidays.country_holidays(country, years=year)
    return frozenset(calendar.weekend), frozenset(calendar)


def is_working_day(day: date, country: str | None) -> bool:
    """Whether the day is neither a weekend day nor a public holiday of the country."""
    weekend, public_holidays = days_off(country, day.year)
    return day.weekday() not in weekend and day not in public_holidays


def next_working_day(day: date, country: str | None) -> date:
    """The day itself where it is a working day, else the first working day after it."""
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day
