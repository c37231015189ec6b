"""Aging buckets: one table of boundaries for the pure bucketing and for the database's CASE."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from tortoise.transactions import in_transaction

from billing.collections.aging import (
    AGING_BUCKETS,
    AgingTotal,
    aging_bucket,
    aging_case_sql,
    aging_cutoffs,
    aging_totals,
)
from orm.db import is_postgres, placeholders, sql_date

AS_OF = date(2026, 6, 30)


def label_for(days_past_due: int) -> str | None:
    bucket = aging_bucket(100, AS_OF - timedelta(days=days_past_due), AS_OF)
    return bucket.label if bucket else None


def test_buckets_follow_the_contract_in_order() -> None:
    assert [(b.label, b.from_days, b.to_days) for b in AGING_BUCKETS] == [
        ("Current", 0, 0),
        ("1-30", 1, 30),
        ("31-60", 31, 60),
        ("61-90", 61, 90),
        ("91+", 91, None),
    ]


def test_buckets_cover_every_day_once() -> None:
    for earlier, later in pairwise(AGING_BUCKETS):
        assert earlier.to_days is not None
        assert later.from_days == earlier.to_days + 1
    assert AGING_BUCKETS[0].from_days == 0
    assert AGING_BUCKETS[-1].to_days is None


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (-10, "Current"),
        (0, "Current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91+"),
        (1000, "91+"),
    ],
)
def test_a_balance_falls_in_the_bucket_of_its_days_past_due(days: int, label: str) -> None:
    assert label_for(days) == label


def test_nothing_owed_is_in_no_bucket() -> None:
    assert aging_bucket(0, AS_OF - timedelta(days=40), AS_OF) is None


def test_totals_hold_every_bucket_with_zeros() -> None:
    balances = [(100, AS_OF), (250, AS_OF - timedelta(days=45)), (50, AS_OF - timedelta(days=31))]
    assert aging_totals(balances, AS_OF) == (
        AgingTotal(AGING_BUCKETS[0], 1, 100),
        AgingTotal(AGING_BUCKETS[1], 0, 0),
        AgingTotal(AGING_BUCKETS[2], 2, 300),
        AgingTotal(AGING_BUCKETS[3], 0, 0),
        AgingTotal(AGING_BUCKETS[4], 0, 0),
    )


def test_the_case_takes_one_placeholder_per_cutoff() -> None:
    assert len(aging_cutoffs(AS_OF)) == 4
    with pytest.raises(ValueError, match="takes 4 placeholders"):
        aging_case_sql("due_on", ["?"] * 3)


@pytest.mark.asyncio
async def test_the_databases_case_puts_every_due_date_in_the_same_bucket(db: str) -> None:
    due_dates = [AS_OF - timedelta(days=days) for days in range(-3, 200)]
    async with in_transaction() as conn:
        await conn.execute_script("CREATE TEMPORARY TABLE aging_probe (due_on DATE NOT NULL)")
        insert = f"INSERT INTO aging_probe (due_on) VALUES ({placeholders(conn, 1)[0]})"
        await conn.execute_many(insert, [[sql_date(conn, due_on)] for due_on in due_dates])
        case = aging_case_sql("due_on", placeholders(conn, len(aging_cutoffs(AS_OF))))
        cutoffs = [sql_date(conn, cutoff) for cutoff in aging_cutoffs(AS_OF)]
        rows = await conn.execute_query_dict(
            f"SELECT due_on, {case} AS bucket FROM aging_probe", cutoffs
        )
        await conn.execute_script("DROP TABLE aging_probe")
    in_sql = {
        row["due_on"] if is_postgres(conn) else date.fromisoformat(row["due_on"]): row["bucket"]
        for row in rows
    }
    in_python = {
        due_on: AGING_BUCKETS.index(aging_bucket(1, due_on, AS_OF)) for due_on in due_dates
    }
    assert in_sql == in_python
