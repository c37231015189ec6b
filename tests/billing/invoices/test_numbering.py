"""Invoice numbers: one format, written by Python and SQL alike, and read back by the import."""

from __future__ import annotations

import pytest

from billing.invoices.numbering import (
    highest_sequence,
    invoice_number,
    invoice_number_sql,
    invoice_sequence,
)
from orm.db import connection, placeholders


@pytest.mark.parametrize(
    ("sequence", "number"),
    [(1, "INV-000001"), (999_999, "INV-999999"), (1_000_000, "INV-1000000")],
)
def test_a_number_is_the_prefix_and_a_six_digit_sequence(sequence: int, number: str) -> None:
    assert invoice_number("INV-", sequence) == number
    assert invoice_sequence(number, "INV-") == sequence


@pytest.mark.parametrize("number", ["INV-00001A", "NW-000001", "INV-", "INV- 12", None, ""])
def test_a_number_in_another_form_carries_no_sequence(number: str | None) -> None:
    assert invoice_sequence(number, "INV-") is None


def test_the_highest_sequence_ignores_numbers_in_other_forms() -> None:
    numbers = ["INV-000007", "INV-000120", "OLD-999999", "INV-12B", None]

    assert highest_sequence(numbers, "INV-") == 120
    assert highest_sequence(["OLD-1"], "INV-") == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("sequence", [1, 42, 999_999, 1_000_000, 2**62])
async def test_the_sql_that_numbers_drafts_writes_the_same_number(db: str, sequence: int) -> None:
    conn = connection()
    [prefix] = placeholders(conn, 1)

    rows = await conn.execute_query_dict(
        f"SELECT {invoice_number_sql(conn, prefix, str(sequence))} AS number", ["NW-"]
    )

    assert rows[0]["number"] == invoice_number("NW-", sequence)
