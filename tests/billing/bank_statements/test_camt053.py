"""Reading CAMT.053 statements: entries, amounts in minor units, references, remittance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.bank_statements import Direction, StatementFormat, StatementUnreadable, parse_camt053
from billing.bank_statements.samples import (
    SAMPLE_ACCOUNT,
    SAMPLE_OTHER_ACCOUNT,
    SampleEntry,
    camt053_document,
    reconciliation_day,
)

DAY = date(2026, 11, 30)


def test_reads_account_currency_balances_and_every_kind_of_entry() -> None:
    day = reconciliation_day("INV-000012")
    statement = parse_camt053(camt053_document(list(day.values())))

    assert statement.format is StatementFormat.CAMT053
    assert statement.account == SAMPLE_ACCOUNT
    assert statement.currency == "EUR"
    assert statement.statement_id == "STMT-2026-11-30"
    assert statement.opening_balance is not None and statement.opening_balance.on == DAY
    assert [entry.bank_reference for entry in statement.entries] == [
        "BANK-0001",
        "BANK-0002",
        "BANK-0001",
        "BANK-0003",
        "BANK-0004",
    ]
    matched = statement.entries[0]
    assert (matched.amount, matched.minor_units, matched.currency) == (
        Decimal("49.90"),
        4990,
        "EUR",
    )
    assert matched.direction is Direction.CREDIT
    assert matched.counterparty == "Jürgen Müller"
    assert matched.remittance == "Rechnung INV-000012 Danke"
    assert statement.entries[3].direction is Direction.DEBIT
    assert statement.entries[4].currency == "USD"


def test_yen_amounts_are_whole_minor_units() -> None:
    entry = SampleEntry(DAY, 5000, "JPY", bank_reference="J-1", text="INV-000001")
    statement = parse_camt053(camt053_document([entry], currency="JPY"))

    assert statement.currency == "JPY"
    assert (statement.entries[0].amount, statement.entries[0].minor_units) == (Decimal(5000), 5000)


@pytest.mark.parametrize("version", ["02", "04", "08", "10"])
def test_every_camt053_version_reads_the_same(version: str) -> None:
    entry = SampleEntry(DAY, 1999, "EUR", bank_reference="R-1", counterparty="Ana Lopez", text="x")
    statement = parse_camt053(camt053_document([entry], version=version))

    assert statement.entries == (entry.read_back(),)


def test_unstructured_lines_are_joined_and_the_creditor_reference_follows() -> None:
    long_text = "Payment for " + "fibre " * 30 + "INV-000012"
    entry = SampleEntry(
        DAY, 100, "EUR", bank_reference="R-1", text=long_text, creditor_reference="RF18INV000012"
    )
    document = camt053_document([entry])
    assert document.count("<Ustrd>") == 2

    parsed = parse_camt053(document).entries[0]

    assert parsed.remittance == f"{long_text} RF18INV000012"
    assert parsed.creditor_reference == "RF18INV000012"


def _with_references(document: str, references: str) -> str:
    return document.replace("<NtryDtls><TxDtls>", f"<NtryDtls><TxDtls><Refs>{references}</Refs>")


def test_bank_reference_falls_back_to_end_to_end_id_then_entry_reference() -> None:
    bare = camt053_document([SampleEntry(DAY, 100, "EUR", text="x")])

    end_to_end = _with_references(bare, "<EndToEndId>E2E-7</EndToEndId>")
    not_provided = _with_references(bare, "<EndToEndId>NOTPROVIDED</EndToEndId>").replace(
        "</ValDt>", "</ValDt><NtryRef>NTRY-3</NtryRef>"
    )

    assert parse_camt053(end_to_end).entries[0].bank_reference == "E2E-7"
    assert parse_camt053(not_provided).entries[0].bank_reference == "NTRY-3"


def test_an_entry_without_any_reference_gets_one_that_survives_a_reimport() -> None:
    twin = SampleEntry(DAY, 100, "EUR", counterparty="Ana Lopez", text="November")
    first = parse_camt053(camt053_document([twin, twin]))
    again = parse_camt053(camt053_document([SampleEntry(DAY, 5, "EUR", text="y"), twin, twin]))

    references = [entry.bank_reference for entry in first.entries]
    assert references[0] != references[1]
    assert [entry.bank_reference for entry in again.entries][1:] == references


def test_a_batch_booking_gives_one_entry_per_transaction() -> None:
    document = camt053_document([SampleEntry(DAY, 300, "EUR", bank_reference="BATCH-1")])
    transactions = "".join(
        f'<TxDtls><Amt Ccy="EUR">{amount}</Amt><RltdPties><Dbtr><Nm>{name}</Nm></Dbtr>'
        f"</RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls>"
        for amount, name, text in (("1.00", "Ana", "INV-000001"), ("2.00", "Bo", "INV-000002"))
    )
    batch = document.replace(
        "<NtryDtls><TxDtls></TxDtls></NtryDtls>", f"<NtryDtls>{transactions}</NtryDtls>"
    )

    entries = parse_camt053(batch).entries

    assert [(e.minor_units, e.counterparty, e.remittance) for e in entries] == [
        (100, "Ana", "INV-000001"),
        (200, "Bo", "INV-000002"),
    ]
    assert [e.bank_reference for e in entries] == ["BATCH-1/1", "BATCH-1/2"]


def test_pending_entries_are_not_booked_money() -> None:
    document = camt053_document([SampleEntry(DAY, 100, "EUR", bank_reference="P-1")])

    assert parse_camt053(document.replace("<Sts>BOOK</Sts>", "<Sts>PDNG</Sts>")).entries == ()


def test_a_reversal_is_marked() -> None:
    document = camt053_document([SampleEntry(DAY, 100, "EUR", bank_reference="R-1")])

    reversed_entry = parse_camt053(document.replace("<Sts>", "<RvslInd>true</RvslInd><Sts>"))

    assert reversed_entry.entries[0].reversal


def test_statements_of_one_account_in_one_file_are_read_together() -> None:
    first = camt053_document([SampleEntry(DAY, 100, "EUR", bank_reference="A")])
    second = camt053_document([SampleEntry(DAY, 200, "EUR", bank_reference="B")], statement_id="S2")
    statement_of_second = second[second.index("<Stmt>") : second.index("</BkToCstmrStmt>")]
    both = first.replace("</BkToCstmrStmt>", statement_of_second + "</BkToCstmrStmt>")

    assert [entry.bank_reference for entry in parse_camt053(both).entries] == ["A", "B"]

    other_account = statement_of_second.replace(SAMPLE_ACCOUNT, SAMPLE_OTHER_ACCOUNT)
    mixed = first.replace("</BkToCstmrStmt>", other_account + "</BkToCstmrStmt>")
    with pytest.raises(StatementUnreadable, match=r"Stmt\[2\].*several accounts"):
        parse_camt053(mixed)
