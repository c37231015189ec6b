"""The aging report's buckets: open balances by days past due, as of a day.

One table of buckets serves both the pure bucketing here and the SQL that computes the report in
the database: `aging_case_sql` turns the same table into a CASE expression over the due date, with
the cut-off dates as parameters (`aging_cutoffs`), so the two cannot disagree on a boundary.
Comparing the due date with dates works alike on SQLite (ISO text) and PostgreSQL, and can use an
index on the due date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class AgingBucket:
    """Days past due, inclusive; `to_days` None: no upper end; 0 to 0: not yet due."""

    label: str
    from_days: int
    to_days: int | None

    def holds(self, days_past_due: int) -> bool:
        return self.from_days <= days_past_due and (
            self.to_days is None or days_past_due <= self.to_days
        )


AGING_BUCKETS: tuple[AgingBucket, ...] = (
    AgingBucket("Current", 0, 0),
    AgingBucket("1-30", 1, 30),
    AgingBucket("31-60", 31, 60),
    AgingBucket("61-90", 61, 90),
    AgingBucket("91+", 91, None),
)


@dataclass(frozen=True, slots=True)
class AgingTotal:
    """One bucket's invoices: how many and their balance in minor units."""

    bucket: AgingBucket
    count: int
    balance: int


def days_past_due(due_on: date, as_of: date) -> int:
    """Whole days since the due date; 0 for an invoice not yet due (or due that very day)."""
    return max(0, (as_of - due_on).days)


def aging_bucket(balance: int, due_on: date, as_of: date) -> AgingBucket | None:
    """The bucket an open balance falls in as of the day; None where nothing is owed."""
    if balance <= 0:
        return None
    days = days_past_due(due_on, as_of)
    return next(bucket for bucket in AGING_BUCKETS if bucket.holds(days))


def aging_totals(balances: Iterable[tuple[int, date]], as_of: date) -> tuple[AgingTotal, ...]:
    """Count and balance per bucket, every bucket in order with zeros included, of
    (balance, due date) pairs."""
    counts = dict.fromkeys(AGING_BUCKETS, 0)
    sums = dict.fromkeys(AGING_BUCKETS, 0)
    for balance, due_on in balances:
        if (bucket := aging_bucket(balance, due_on, as_of)) is not None:
            counts[bucket] += 1
            sums[bucket] += balance
    return tuple(AgingTotal(bucket, counts[bucket], sums[bucket]) for bucket in AGING_BUCKETS)


def aging_cutoffs(as_of: date) -> tuple[date, ...]:
    """For each bucket with an upper end, the earliest due date it holds as of the day; the
    parameters of `aging_case_sql`, in order."""
    return tuple(
        as_of - timedelta(days=bucket.to_days)
        for bucket in AGING_BUCKETS
        if bucket.to_days is not None
    )


def aging_case_sql(due_column: str, placeholders: Sequence[str]) -> str:
    """A SQL CASE giving the index in AGING_BUCKETS of a row by its due date column, with one
    placeholder per cut-off of `aging_cutoffs` (e.g. from `orm.db.placeholders`)."""
    bounded = [index for index, bucket in enumerate(AGING_BUCKETS) if bucket.to_days is not None]
    if len(placeholders) != len(bounded):
        raise ValueError(
            f"the aging CASE takes {len(bounded)} placeholders, not {len(placeholders)}"
        )
    whens = " ".join(
        f"WHEN {due_column} >= {marker} THEN {index}"
        for index, marker in zip(bounded, placeholders, strict=True)
    )
    return f"CASE {whens} ELSE {len(AGING_BUCKETS) - 1} END"
