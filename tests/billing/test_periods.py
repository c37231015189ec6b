"""Period arithmetic: anchors kept through short months, periods contiguous, leap years."""

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from billing.periods import ServicePeriod, add_months, period_starting, periods_due

periods = st.sampled_from(list(ServicePeriod))
anchors = st.integers(min_value=1, max_value=31)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def test_month_end_anchor_keeps_its_day_where_the_month_has_it() -> None:
    starts = [date(2027, 1, 31)]
    for _ in range(3):
        starts.append(add_months(starts[-1], 1, anchor_day=31))
    assert starts == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]


def test_leap_year_february_ends_on_the_29th() -> None:
    assert add_months(date(2028, 1, 30), 1, anchor_day=30) == date(2028, 2, 29)
    february = period_starting(date(2028, 2, 29), ServicePeriod.MONTHLY, anchor_day=30)
    assert february.end == date(2028, 3, 29)


def test_a_period_ends_the_day_before_the_next_starts() -> None:
    quarter = period_starting(date(2026, 11, 30), ServicePeriod.QUARTERLY, anchor_day=30)
    assert (quarter.start, quarter.end) == (date(2026, 11, 30), date(2027, 2, 27))


@given(start=days, period=periods, anchor=anchors, span=st.integers(min_value=0, max_value=800))
def test_due_periods_are_contiguous_and_cover_every_day_up_to_the_run_date(
    start: date, period: ServicePeriod, anchor: int, span: int
) -> None:
    first = add_months(start, 0, anchor)
    run_date = first + timedelta(days=span)
    due = list(periods_due(first, period, anchor, run_date))
    assert due[0].start == first
    for earlier, later in pairwise(due):
        assert later.start == earlier.end + timedelta(days=1)
    assert due[-1].start <= run_date <= due[-1].end


@given(start=days, period=periods, anchor=anchors)
def test_period_start_falls_on_the_anchor_or_the_last_day_of_a_short_month(
    start: date, period: ServicePeriod, anchor: int
) -> None:
    first = add_months(start, 0, anchor)
    following = period_starting(first, period, anchor).end + timedelta(days=1)
    month_end = (following.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert following.day == min(anchor, month_end.day)
