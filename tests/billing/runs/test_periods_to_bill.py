"""Which of a service's periods a run bills: put-back periods first, then the schedule's, never
a day twice."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from billing.periods import BillingPeriod, ServicePeriod, periods_due
from billing.runs.decide import periods_to_bill

RUN_DATE = date(2026, 12, 1)


def period(start: date, days: int) -> BillingPeriod:
    return BillingPeriod(start, start + timedelta(days=days - 1))


periods = st.builds(
    period,
    st.dates(min_value=date(2026, 1, 1), max_value=RUN_DATE),
    st.integers(min_value=1, max_value=120),
)


def shares_a_day(a: BillingPeriod, b: BillingPeriod) -> bool:
    return a.start <= b.end and b.start <= a.end


def test_with_nothing_live_or_put_back_every_scheduled_period_is_billed() -> None:
    scheduled = periods_due(date(2026, 9, 1), ServicePeriod.MONTHLY, 1, RUN_DATE)

    assert periods_to_bill((), scheduled, ()) == [(p, False) for p in scheduled]


def test_a_put_back_period_comes_first_and_a_scheduled_one_sharing_its_days_is_skipped() -> None:
    scheduled = periods_due(date(2026, 11, 1), ServicePeriod.MONTHLY, 1, RUN_DATE)
    put_back = [period(date(2026, 11, 1), 30), period(date(2026, 10, 1), 31)]

    assert periods_to_bill(put_back, scheduled, ()) == [
        (period(date(2026, 10, 1), 31), True),
        (period(date(2026, 11, 1), 30), True),
        (period(date(2026, 12, 1), 31), False),
    ]


def test_a_scheduled_period_sharing_a_day_with_a_live_line_is_skipped() -> None:
    scheduled = periods_due(date(2026, 10, 1), ServicePeriod.MONTHLY, 1, RUN_DATE)
    live = [period(date(2026, 10, 15), 10)]

    assert periods_to_bill((), scheduled, live) == [(scheduled[1], False), (scheduled[2], False)]


@given(
    put_back=st.lists(periods, max_size=4),
    next_bill_date=st.dates(min_value=date(2025, 6, 1), max_value=RUN_DATE),
    period_kind=st.sampled_from(list(ServicePeriod)),
    anchor_day=st.integers(min_value=1, max_value=31),
    live=st.lists(periods, max_size=4),
)
def test_no_billed_period_shares_a_day_with_a_live_one_or_another_billed(
    put_back: list[BillingPeriod],
    next_bill_date: date,
    period_kind: ServicePeriod,
    anchor_day: int,
    live: list[BillingPeriod],
) -> None:
    scheduled = periods_due(next_bill_date, period_kind, anchor_day, RUN_DATE)

    billed = periods_to_bill(put_back, scheduled, live)

    candidates = [(p, True) for p in sorted(put_back, key=lambda p: p.start)] + [
        (p, False) for p in scheduled
    ]
    # In the candidates' order, and each candidate left out shares a day with one kept before it
    # or with a live line.
    kept: list[BillingPeriod] = []
    expected = []
    for candidate, rebilled in candidates:
        if any(shares_a_day(candidate, other) for other in [*live, *kept]):
            continue
        kept.append(candidate)
        expected.append((candidate, rebilled))
    assert billed == expected
    for index, (one, _) in enumerate(billed):
        assert not any(shares_a_day(one, other) for other in live)
        assert not any(shares_a_day(one, other) for other, _ in billed[index + 1 :])
