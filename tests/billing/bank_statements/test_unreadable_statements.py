"""Statements that cannot be read are refused whole, saying where the problem is."""

from __future__ import annotations

from datetime import date

import pytest

from billing.bank_statements import StatementUnreadable, parse_camt053, parse_mt940, parse_statement
from billing.bank_statements.samples import (
    SAMPLE_OTHER_ACCOUNT,
    SampleEntry,
    camt053_document,
    malformed_camt053,
    malformed_mt940,
    mt940_text,
)

CAMT = malformed_camt053()
MT940 = malformed_mt940()


@pytest.mark.parametrize(
    ("case", "where"),
    [
        ("not_xml", r"not well-formed XML: .*line \d+, column \d+"),
        ("not_camt053", r"not a CAMT\.053 document"),
        ("missing_account", r"Stmt\[1\]/Acct/Id \(line 7\): no IBAN"),
        ("entry_without_amount", r"Stmt\[1\]/Ntry\[1\] \(line 10\): no Amt"),
        ("entry_without_date", r"Stmt\[1\]/Ntry\[1\] \(line 10\): no BookgDt"),
        ("amount_with_too_many_digits", r"Ntry\[1\]/Amt \(line 11\): 49\.905 has more decimal"),
        ("unknown_currency", r"Ntry\[1\]/Amt \(line 11\) @Ccy: 'EUX' is not an ISO 4217"),
    ],
)
def test_a_broken_camt053_says_where(case: str, where: str) -> None:
    with pytest.raises(StatementUnreadable, match=where):
        parse_camt053(CAMT[case])


@pytest.mark.parametrize("case", ["external_entity", "entity_expansion"])
def test_xml_entity_attacks_are_refused_before_any_expansion(case: str) -> None:
    with pytest.raises(StatementUnreadable, match="DTD or entities"):
        parse_camt053(CAMT[case])


def test_a_bad_entry_makes_the_whole_statement_unreadable() -> None:
    good = SampleEntry(date(2026, 11, 30), 100, "EUR", bank_reference="OK-1")
    bad = SampleEntry(date(2026, 11, 30), 200, "EUR", bank_reference="BAD-1")
    document = camt053_document([good, bad]).replace(">2.00<", ">2.001<")

    with pytest.raises(StatementUnreadable, match=r"Ntry\[2\]/Amt"):
        parse_camt053(document)


@pytest.mark.parametrize(
    ("case", "where"),
    [
        ("truncated", r"tag :86: on line 6: no closing balance \(:62F:\) after it"),
        ("cut_inside_an_entry", r"tag :61: on line 5: .* does not fit"),
        ("missing_account", r"no account identification \(:25:\)"),
        ("amount_with_too_many_digits", r"tag :61: on line 5: 49\.905 has more decimal"),
        ("unknown_currency", r"tag :60F: on line 4: 'EUX' is not an ISO 4217"),
        ("not_mt940", "no MT940 tags"),
    ],
)
def test_a_broken_mt940_says_which_tag_and_line(case: str, where: str) -> None:
    with pytest.raises(StatementUnreadable, match=where):
        parse_mt940(MT940[case])


def test_a_file_over_the_size_cap_is_refused_unread() -> None:
    document = camt053_document([SampleEntry(date(2026, 11, 30), 100, "EUR", bank_reference="A")])

    limit = len(document.encode()) - 1

    with pytest.raises(StatementUnreadable, match=f"more than the {limit:,} a statement may have"):
        parse_camt053(document, max_bytes=limit)
    assert parse_camt053(document, max_bytes=limit + 1).entries


@pytest.mark.parametrize("write", [camt053_document, mt940_text])
def test_a_statement_over_the_entry_cap_is_refused(write) -> None:
    entries = [
        SampleEntry(date(2026, 11, 30), 100 + index, "EUR", bank_reference=f"R{index}")
        for index in range(4)
    ]

    with pytest.raises(StatementUnreadable, match="more than 3 entries"):
        parse_statement(
            write(entries), "CAMT053" if write is camt053_document else "MT940", max_entries=3
        )


def test_an_unknown_format_and_an_empty_file_are_refused() -> None:
    with pytest.raises(StatementUnreadable, match="not a statement format"):
        parse_statement("x", "CSV")
    with pytest.raises(StatementUnreadable, match="empty"):
        parse_statement("", "MT940")


def test_mt940_bytes_that_are_not_utf8_say_which_line() -> None:
    content = MT940["truncated"].encode().replace(b"J\xc3\xbcrgen", b"J\xfcrgen")

    with pytest.raises(StatementUnreadable, match="MT940 line 8: not UTF-8"):
        parse_mt940(content)


def test_mt940_statements_of_two_accounts_in_one_file_are_refused() -> None:
    entry = SampleEntry(date(2026, 11, 30), 100, "EUR", bank_reference="A")
    first = mt940_text([entry])
    second = mt940_text([entry], account=SAMPLE_OTHER_ACCOUNT, statement_reference="S2")

    with pytest.raises(StatementUnreadable, match=r"tag :25: on line 10: .*several accounts"):
        parse_mt940(first + second)
    assert len(parse_mt940(first + mt940_text([entry], statement_reference="S2")).entries) == 2


@pytest.mark.parametrize("statement_format", ["CAMT053", "MT940"])
def test_text_holding_a_lone_surrogate_is_unreadable_and_says_where(statement_format: str):
    with pytest.raises(StatementUnreadable, match="character 3 of the text"):
        parse_statement("ab\ud800cd", statement_format)
