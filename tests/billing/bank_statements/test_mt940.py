"""Reading MT940 statements: entries, amounts in minor units, references, :86: details."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from billing.bank_statements import Direction, StatementFormat, parse_mt940
from billing.bank_statements.entry_fields import DERIVED_REFERENCE_PREFIX
from billing.bank_statements.samples import (
    SAMPLE_ACCOUNT,
    SampleEntry,
    mt940_text,
    reconciliation_day,
)

DAY = date(2026, 11, 30)


def test_reads_account_currency_balances_and_entries() -> None:
    day = reconciliation_day("INV-000012")
    kinds = ["matched", "unmatched", "duplicate", "outgoing"]
    statement = parse_mt940(mt940_text([day[kind] for kind in kinds]))

    assert statement.format is StatementFormat.MT940
    assert (statement.account, statement.currency) == (SAMPLE_ACCOUNT, "EUR")
    assert statement.statement_id == "STMT20261130/1"
    assert statement.closing_balance is not None and statement.closing_balance.on == DAY
    assert list(statement.entries) == [day[kind].read_back() for kind in kinds]
    assert statement.entries[3].direction is Direction.DEBIT


def test_yen_amounts_are_whole_minor_units() -> None:
    entry = SampleEntry(DAY, 5000, "JPY", bank_reference="J-1", text="INV-000001")
    text = mt940_text([entry], currency="JPY")
    assert "C5000,NTRF" in text

    parsed = parse_mt940(text).entries[0]

    assert (parsed.amount, parsed.minor_units, parsed.currency) == (Decimal(5000), 5000, "JPY")


def test_an_iban_with_the_currency_appended_is_the_iban() -> None:
    text = mt940_text([]).replace(f":25:{SAMPLE_ACCOUNT}", f":25:{SAMPLE_ACCOUNT}EUR")

    assert parse_mt940(text).account == SAMPLE_ACCOUNT


def test_structured_purpose_split_over_fields_reads_as_one_text() -> None:
    entry = SampleEntry(
        DAY,
        100,
        "EUR",
        bank_reference="B-1",
        counterparty="Jürgen Müller",
        text="Rechnungen INV-000012 und INV-000013 Kundennummer 4711 vielen Dank",
    )
    text = mt940_text([entry])
    assert "?21" in text

    assert parse_mt940(text).entries[0].remittance == entry.text


def test_sepa_keywords_in_the_purpose_give_the_remittance() -> None:
    text = mt940_text([SampleEntry(DAY, 100, "EUR", bank_reference="B-1", text="x")]).replace(
        "?20x", "?20EREF+E2E-1 SVWZ+INV-000012 Nov"
    )

    assert parse_mt940(text).entries[0].remittance == "INV-000012 Nov"


def test_free_text_details_are_joined_by_their_wrapping() -> None:
    text = mt940_text([SampleEntry(DAY, 100, "EUR", bank_reference="B-1", text="x")])
    full_line = "Payment for the fibre line at Hauptstrasse 12 in Berlin, invo"
    assert len(":86:" + full_line) == 65
    free_text = f":86:{full_line}\nice INV-000012\nthank you\n"
    details = text[text.index(":86:") : text.index(":62F:")]

    parsed = parse_mt940(text.replace(details, free_text)).entries[0]

    assert parsed.remittance == f"{full_line}ice INV-000012 thank you"
    assert parsed.counterparty is None


def test_an_entry_without_a_bank_reference_gets_a_stable_derived_one() -> None:
    twin = SampleEntry(DAY, 100, "EUR", counterparty="Ana Lopez", text="November")
    first = parse_mt940(mt940_text([twin, twin]))
    later = parse_mt940(mt940_text([SampleEntry(DAY, 7, "EUR", text="y"), twin, twin]))

    references = [entry.bank_reference for entry in first.entries]
    assert all(reference.startswith(DERIVED_REFERENCE_PREFIX) for reference in references)
    assert references[0] != references[1]
    assert [entry.bank_reference for entry in later.entries][1:] == references


def test_nonref_is_no_bank_reference() -> None:
    text = mt940_text([SampleEntry(DAY, 100, "EUR", bank_reference="NONREF", text="x")])

    assert parse_mt940(text).entries[0].bank_reference.startswith(DERIVED_REFERENCE_PREFIX)


def test_reversal_marks_give_the_direction_money_really_went() -> None:
    text = mt940_text([SampleEntry(DAY, 100, "EUR", bank_reference="B-1", text="x")])

    returned_credit = parse_mt940(text.replace("1130C1,00", "1130RC1,00")).entries[0]
    returned_debit = parse_mt940(text.replace("1130C1,00", "1130RD1,00")).entries[0]

    assert (returned_credit.direction, returned_credit.reversal) == (Direction.DEBIT, True)
    assert (returned_debit.direction, returned_debit.reversal) == (Direction.CREDIT, True)


def test_booking_date_is_the_entry_date_across_the_year_end() -> None:
    text = mt940_text([SampleEntry(DAY, 100, "EUR", bank_reference="B-1", text="x")])

    parsed = parse_mt940(text.replace(":61:2611301130", ":61:2612310102")).entries[0]

    assert parsed.booked_on == date(2027, 1, 2)
