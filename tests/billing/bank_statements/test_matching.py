"""Matching bank entries to open invoices: numbers as tokens, currency, direction, suggestions."""

from __future__ import annotations

from datetime import date

import pytest

from billing.bank_statements import (
    BankEntry,
    ClientNames,
    Direction,
    EntryStatus,
    OpenInvoice,
    OpenInvoiceIndex,
    candidate_amounts,
    candidate_numbers,
    match_entry,
)
from billing.money import from_minor_units

DUE = date(2026, 11, 15)


def invoice(
    invoice_id: int,
    number: str,
    client_id: int = 1,
    client_name: str = "Jürgen Müller",
    balance: int = 4990,
    due_on: date = DUE,
) -> OpenInvoice:
    return OpenInvoice(invoice_id, number, client_id, client_name, balance, due_on)


def entry(
    remittance: str | None = None,
    units: int = 4990,
    currency: str = "EUR",
    direction: Direction = Direction.CREDIT,
    counterparty: str | None = None,
) -> BankEntry:
    return BankEntry(
        booked_on=date(2026, 11, 30),
        amount=from_minor_units(units, currency),
        minor_units=units,
        currency=currency,
        direction=direction,
        bank_reference="B-1",
        counterparty=counterparty,
        remittance=remittance,
    )


TWELVE = invoice(12, "INV-000012", client_id=7)
ONE_TWENTY_THREE = invoice(123, "INV-0000123", client_id=8, client_name="Ana Lopez")


@pytest.mark.parametrize(
    "remittance",
    [
        "INV-000012",
        "Rechnung inv-000012 danke",
        "INV000012",
        "INV 000012",
        "(INV-000012)",
        "inv.000012/November",
        "INV-000012-1",
    ],
)
def test_an_entry_naming_an_open_invoice_is_matched_to_its_client(remittance: str) -> None:
    index = OpenInvoiceIndex([TWELVE])

    result = match_entry(entry(remittance), index, "EUR")

    assert (result.status, result.client_id, result.invoice_ids) == (EntryStatus.MATCHED, 7, (12,))


@pytest.mark.parametrize(
    "remittance", ["INV-0000123", "INV-1000012", "XINV-000012", "INV-000012A", "INV-00001"]
)
def test_a_longer_or_different_number_is_not_a_match(remittance: str) -> None:
    result = match_entry(entry(remittance, units=1), OpenInvoiceIndex([TWELVE]), "EUR")

    assert result.status is EntryStatus.UNMATCHED


def test_a_longer_number_matches_its_own_invoice_not_the_shorter_one() -> None:
    index = OpenInvoiceIndex([TWELVE, ONE_TWENTY_THREE])

    result = match_entry(entry("INV-0000123"), index, "EUR")

    assert (result.client_id, result.invoice_ids) == (8, (123,))


def test_several_invoices_of_one_client_are_paid_in_the_order_named() -> None:
    index = OpenInvoiceIndex([TWELVE, invoice(13, "INV-000013", client_id=7)])

    result = match_entry(entry("INV-000013 and INV-000012"), index, "EUR")

    assert (result.status, result.invoice_ids) == (EntryStatus.MATCHED, (13, 12))


def test_invoices_of_two_clients_are_left_for_a_person() -> None:
    index = OpenInvoiceIndex([TWELVE, ONE_TWENTY_THREE])

    result = match_entry(entry("INV-000012 INV-0000123"), index, "EUR")

    assert result.status is EntryStatus.UNMATCHED
    assert result.suggested_invoice_ids[:2] == (12, 123)


def test_a_creditor_reference_names_the_invoice() -> None:
    result = match_entry(entry("RF18INV000012"), OpenInvoiceIndex([TWELVE]), "EUR")

    assert result.invoice_ids == (12,)


def test_outgoing_entries_are_ignored() -> None:
    result = match_entry(
        entry("INV-000012", direction=Direction.DEBIT), OpenInvoiceIndex([TWELVE]), "EUR"
    )

    assert result.status is EntryStatus.IGNORED


def test_another_currency_is_never_matched_automatically() -> None:
    result = match_entry(entry("INV-000012", currency="USD"), OpenInvoiceIndex([TWELVE]), "EUR")

    assert result.status is EntryStatus.UNMATCHED
    assert "USD" in result.reason
    assert result.suggested_invoice_ids == ()


def test_a_reversal_is_never_matched_automatically() -> None:
    reversed_entry = entry("INV-000012")
    reversed_entry = BankEntry(**{**_fields(reversed_entry), "reversal": True})

    assert (
        match_entry(reversed_entry, OpenInvoiceIndex([TWELVE]), "EUR").status
        is EntryStatus.UNMATCHED
    )


def _fields(bank_entry: BankEntry) -> dict[str, object]:
    return {name: getattr(bank_entry, name) for name in bank_entry.__slots__}


def test_suggestions_rank_named_client_with_the_amount_then_its_others_then_the_amount() -> None:
    mueller_old = invoice(1, "INV-000001", client_id=1, balance=2500, due_on=date(2026, 9, 1))
    mueller_same = invoice(2, "INV-000002", client_id=1, balance=4990, due_on=date(2026, 10, 1))
    stranger_same_old = invoice(
        3, "INV-000003", client_id=2, client_name="Ana Lopez", balance=4990, due_on=date(2026, 8, 1)
    )
    stranger_other = invoice(4, "INV-000004", client_id=2, client_name="Ana Lopez", balance=100)
    index = OpenInvoiceIndex([mueller_old, mueller_same, stranger_same_old, stranger_other])

    result = match_entry(entry("Internet", counterparty="MUELLER, JUERGEN"), index, "EUR")

    assert result.status is EntryStatus.UNMATCHED
    assert result.suggested_invoice_ids == (2, 1, 3)


def test_suggestions_fold_accents_and_case() -> None:
    index = OpenInvoiceIndex([invoice(1, "INV-000001", client_name="Zoë Ångström", balance=1)])

    result = match_entry(entry("x", units=999, counterparty="ZOE ANGSTROM"), index, "EUR")

    assert result.suggested_invoice_ids == (1,)


def test_at_most_five_suggestions_oldest_due_first() -> None:
    same = [
        invoice(n, f"INV-{n:06d}", client_id=n, client_name=f"Client {n}", due_on=date(2026, 1, n))
        for n in range(9, 0, -1)
    ]

    result = match_entry(entry("x"), OpenInvoiceIndex(same), "EUR")

    assert result.suggested_invoice_ids == (1, 2, 3, 4, 5)


def test_a_client_is_named_only_by_all_the_words_of_its_name() -> None:
    names = ClientNames([(1, "Jürgen Müller"), (2, "Müller Fibre GmbH")])

    assert names.named_in("JUERGEN MUELLER") == {1}
    assert names.named_in("Müller") == set()
    assert names.named_in("MUELLER FIBRE GMBH, BERLIN") == {2}


def test_candidate_numbers_are_the_tenants_numbers_the_incoming_texts_name() -> None:
    entries = [
        entry("Rechnung inv 000012, INV-0000123 und 4711"),
        entry("INV000099"),
        entry("INV-000077", direction=Direction.DEBIT),
    ]

    assert candidate_numbers(entries, "INV-") == {"INV-000012", "INV-0000123", "INV-000099"}


def test_candidate_amounts_are_incoming_amounts_in_the_tenants_currency() -> None:
    entries = [
        entry(units=1),
        entry(units=2, currency="USD"),
        entry(units=3, direction=Direction.DEBIT),
    ]

    assert candidate_amounts(entries, "eur") == {1}


def test_a_name_many_clients_share_suggests_no_one() -> None:
    names = ClientNames([(client, "Anna Novak") for client in range(1, 12)] + [(99, "Zoë Rossi")])

    assert names.named_in("ANNA NOVAK") == set()
    assert names.named_in("ZOE ROSSI") == {99}
