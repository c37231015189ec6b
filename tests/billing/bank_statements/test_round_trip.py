"""A statement written from entries reads back as those entries, in either format."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.bank_statements import Direction, parse_camt053, parse_mt940
from billing.bank_statements.samples import (
    MT940_NAME_FIELDS,
    MT940_PURPOSE_WIDTH,
    SampleEntry,
    camt053_document,
    cut,
    mt940_text,
)

WORD_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789äöüÉ"
WORD_REST = WORD_START + "-./,"
words = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(WORD_START),
    st.text(WORD_REST, max_size=30),
)


def text(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.lists(words, min_size=1, max_size=40).map(" ".join).filter(lambda t: len(t) <= max_size)
    )


def entries(currency: str, remittance_size: int, creditor_reference: bool) -> st.SearchStrategy:
    return st.lists(
        st.builds(
            SampleEntry,
            booked_on=st.dates(date(2000, 1, 1), date(2069, 12, 31)),
            minor_units=st.integers(1, 10**12),
            currency=st.just(currency),
            direction=st.sampled_from(Direction),
            bank_reference=st.text("ABCDEFGHIJ0123456789-", min_size=1, max_size=16),
            # A name the MT940 writer can wrap into its two name fields (CAMT takes any).
            counterparty=st.none()
            | text(54).filter(
                lambda name: len(cut(name, MT940_PURPOSE_WIDTH)) <= len(MT940_NAME_FIELDS)
            ),
            text=st.none() | text(remittance_size),
            creditor_reference=(st.none() | st.from_regex(r"RF\d{2}[A-Z0-9]{1,21}", fullmatch=True))
            if creditor_reference
            else st.none(),
        ),
        max_size=6,
    )


@settings(max_examples=60, deadline=None)
@given(currency=st.sampled_from(["EUR", "JPY", "BHD"]), data=st.data())
def test_camt053_written_then_read_gives_the_entries_back(
    currency: str, data: st.DataObject
) -> None:
    written = data.draw(entries(currency, 500, creditor_reference=True))

    statement = parse_camt053(camt053_document(written, currency=currency))

    assert list(statement.entries) == [entry.read_back() for entry in written]


@settings(max_examples=60, deadline=None)
@given(currency=st.sampled_from(["EUR", "JPY", "BHD"]), data=st.data())
def test_mt940_written_then_read_gives_the_entries_back(currency: str, data: st.DataObject) -> None:
    written = data.draw(entries(currency, 270, creditor_reference=False))

    statement = parse_mt940(mt940_text(written, currency=currency))

    assert list(statement.entries) == [entry.read_back() for entry in written]
