"""Importing a statement: entries naming an open invoice become payments of its client, the
others wait, outgoing ones are ignored, an entry imported before is a DUPLICATE; a file that
cannot be read changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from billing.audit.actions import AuditAction
from billing.bank_statements.matching import EntryStatus
from billing.bank_statements.model import StatementFormat
from billing.bank_statements.samples import (
    SampleEntry,
    camt053_document,
    malformed_camt053,
    malformed_mt940,
    mt940_text,
    reconciliation_day,
)
from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from billing.payments.methods import PaymentMethod
from orm.models import (
    AuditEvent,
    BankStatement,
    BankStatementEntry,
    Client,
    Payment,
    PaymentAllocation,
)
from tests.billing.bank_statements.support import (
    entries_of,
    euro_books,
    euro_invoice,
    imported,
    reloaded,
)

pytestmark = pytest.mark.asyncio

DAY = date(2026, 11, 30)
KINDS = ("matched", "unmatched", "duplicate", "outgoing", "other_currency")


def day_file(number: str = "INV-000012") -> str:
    """A CAMT.053 file with one entry of each kind, in the order of KINDS."""
    day = reconciliation_day(number)
    return camt053_document([day[kind] for kind in KINDS])


async def test_each_kind_of_entry_gets_its_status(db: str) -> None:
    books = await euro_books()

    statement = await imported(books.tenant, day_file())

    statuses = [entry.status for entry in await entries_of(statement)]
    assert statuses == [
        EntryStatus.MATCHED,
        EntryStatus.UNMATCHED,
        EntryStatus.DUPLICATE,
        EntryStatus.IGNORED,
        EntryStatus.UNMATCHED,
    ]
    assert (statement.matched_count, statement.unmatched_count) == (1, 2)
    assert (statement.duplicate_count, statement.ignored_count) == (1, 1)
    assert statement.entry_count == 5
    assert statement.account == "DE89370400440532013000"
    assert statement.format is StatementFormat.CAMT053


async def test_an_entry_naming_an_open_invoice_pays_it(db: str) -> None:
    books = await euro_books()

    statement = await imported(books.tenant, day_file())

    invoice = await reloaded(books.open_invoice)
    assert invoice.status is InvoiceStatus.PAID and invoice.balance_cents == 0
    payment = await Payment.get(client_id=books.muller.id)
    assert payment.amount_cents == 4990 and payment.currency == "EUR"
    assert payment.paid_on == DAY
    assert payment.method == PaymentMethod.BANK_TRANSFER
    assert payment.reference == "BANK-0001 Rechnung INV-000012 Danke"
    matched = (await entries_of(statement))[0]
    assert matched.payment_id == payment.id
    assert matched.invoice_id == invoice.id
    allocation = await PaymentAllocation.get(payment_id=payment.id)
    assert (allocation.invoice_id, allocation.amount_cents) == (invoice.id, 4990)


async def test_only_the_matched_entry_records_money(db: str) -> None:
    books = await euro_books()

    await imported(books.tenant, day_file())

    assert await Payment.all().count() == 1
    waiting = await BankStatementEntry.filter(status=EntryStatus.UNMATCHED)
    assert all(entry.payment_id is None for entry in waiting)


async def test_an_mt940_statement_is_imported_the_same_way(db: str) -> None:
    books = await euro_books()
    day = reconciliation_day("INV-000012")

    statement = await imported(
        books.tenant,
        mt940_text([day["matched"], day["unmatched"], day["duplicate"], day["outgoing"]]),
        StatementFormat.MT940,
    )

    assert [entry.status for entry in await entries_of(statement)] == [
        EntryStatus.MATCHED,
        EntryStatus.UNMATCHED,
        EntryStatus.DUPLICATE,
        EntryStatus.IGNORED,
    ]
    assert (await reloaded(books.open_invoice)).status is InvoiceStatus.PAID
    assert statement.format is StatementFormat.MT940


async def test_the_same_file_imported_twice_records_nothing_the_second_time(db: str) -> None:
    books = await euro_books()
    await imported(books.tenant, day_file())

    again = await imported(books.tenant, day_file())

    assert {entry.status for entry in await entries_of(again)} == {EntryStatus.DUPLICATE}
    assert again.duplicate_count == 5 and again.matched_count == 0
    assert await Payment.all().count() == 1
    assert (await reloaded(books.open_invoice)).balance_cents == 0


async def test_the_same_reference_on_another_account_is_another_entry(db: str) -> None:
    books = await euro_books()
    await euro_invoice(books.muller, "INV-000013", "49.90")
    day = reconciliation_day("INV-000012")
    await imported(books.tenant, camt053_document([day["matched"]]))

    other = reconciliation_day("INV-000013")["matched"]
    statement = await imported(
        books.tenant, camt053_document([other], account="GB82WEST12345698765432")
    )

    assert statement.matched_count == 1
    assert await Payment.all().count() == 2


async def test_money_beyond_the_named_invoice_pays_the_oldest_then_is_credit(db: str) -> None:
    books = await euro_books()
    older = await euro_invoice(books.muller, "INV-000010", "20.00", due_on=date(2026, 10, 15))
    entry = SampleEntry(
        DAY, 10000, "EUR", bank_reference="BANK-0100", text="INV-000012", counterparty="J Muller"
    )

    await imported(books.tenant, camt053_document([entry]))

    assert (await reloaded(books.open_invoice)).status is InvoiceStatus.PAID
    assert (await reloaded(older)).status is InvoiceStatus.PAID
    payment = await Payment.get(client_id=books.muller.id)
    allocations = await PaymentAllocation.filter(payment_id=payment.id).order_by("id")
    # The named invoice first, then the oldest other one; 30.10 stays the client's credit.
    assert [(a.invoice_id, a.amount_cents) for a in allocations] == [
        (books.open_invoice.id, 4990),
        (older.id, 2000),
    ]


async def test_a_second_entry_naming_a_paid_off_invoice_becomes_credit(db: str) -> None:
    books = await euro_books()
    first = SampleEntry(DAY, 4990, "EUR", bank_reference="BANK-1", text="INV-000012")
    second = SampleEntry(DAY, 4990, "EUR", bank_reference="BANK-2", text="INV-000012 again")

    statement = await imported(books.tenant, camt053_document([first, second]))

    assert statement.matched_count == 2
    payments = await Payment.filter(client_id=books.muller.id).order_by("id")
    assert [p.amount_cents for p in payments] == [4990, 4990]
    allocated = await PaymentAllocation.filter(payment_id=payments[1].id).count()
    assert allocated == 0
    assert (await reloaded(books.open_invoice)).balance_cents == 0


async def test_a_paid_invoice_number_is_not_matched(db: str) -> None:
    books = await euro_books()
    books.open_invoice.status = InvoiceStatus.PAID
    books.open_invoice.balance_cents = 0
    await books.open_invoice.save()

    statement = await imported(books.tenant, day_file())

    assert statement.matched_count == 0
    assert await Payment.all().count() == 0


@pytest.mark.parametrize("problem", sorted(malformed_camt053()))
async def test_an_unreadable_camt053_file_changes_nothing(db: str, problem: str) -> None:
    books = await euro_books()

    with pytest.raises(BillingRuleError) as refusal:
        await imported(books.tenant, malformed_camt053()[problem])

    assert refusal.value.code is ErrorCode.STATEMENT_UNREADABLE
    assert refusal.value.field == "content"
    assert await BankStatement.all().count() == 0
    assert await Payment.all().count() == 0


@pytest.mark.parametrize("problem", sorted(malformed_mt940()))
async def test_an_unreadable_mt940_file_changes_nothing(db: str, problem: str) -> None:
    books = await euro_books()

    with pytest.raises(BillingRuleError) as refusal:
        await imported(books.tenant, malformed_mt940()[problem], StatementFormat.MT940)

    assert refusal.value.code is ErrorCode.STATEMENT_UNREADABLE
    assert await BankStatement.all().count() == 0


async def test_the_refusal_says_where_the_file_is_wrong(db: str) -> None:
    books = await euro_books()

    with pytest.raises(BillingRuleError) as refusal:
        await imported(books.tenant, malformed_camt053()["entry_without_amount"])

    assert "Ntry" in refusal.value.message and "line" in refusal.value.message


async def test_an_error_while_recording_rolls_everything_back(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = await euro_books()
    await euro_invoice(books.lopez, "INV-000013", "25.00")
    entries = [
        SampleEntry(DAY, 4990, "EUR", bank_reference="BANK-1", text="INV-000012"),
        SampleEntry(DAY, 2500, "EUR", bank_reference="BANK-2", text="INV-000013"),
    ]
    from billing.bank_statements import paying

    async def fails_after_the_payments(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    # The payments and allocations are written by then; the audit records fail.
    monkeypatch.setattr(paying, "_audit", fails_after_the_payments)

    with pytest.raises(RuntimeError):
        await imported(books.tenant, camt053_document(entries))

    assert await BankStatement.all().count() == 0
    assert await BankStatementEntry.all().count() == 0
    assert await Payment.all().count() == 0
    assert await PaymentAllocation.all().count() == 0
    assert (await reloaded(books.open_invoice)).status is InvoiceStatus.UNPAID


async def test_the_import_is_audited_with_its_counts(db: str) -> None:
    books = await euro_books()

    statement = await imported(books.tenant, day_file())

    event = await AuditEvent.get(action=AuditAction.BANK_IMPORT)
    assert event.detail["bank_statement_id"] == statement.id
    assert (event.detail["matched"], event.detail["duplicates"]) == (1, 1)


async def test_each_payment_is_audited_as_a_payment_is(db: str) -> None:
    books = await euro_books()

    await imported(books.tenant, day_file())

    payment = await Payment.get(client_id=books.muller.id)
    event = await AuditEvent.get(action=AuditAction.PAYMENT)
    assert event.invoice_id == books.open_invoice.id
    assert event.detail["payment_id"] == payment.id
    assert event.detail["allocations"] == [
        {"invoice_id": books.open_invoice.id, "amount_cents": 4990}
    ]
    assert event.created_at is not None


async def test_the_payment_holds_what_its_allocations_took(db: str) -> None:
    books = await euro_books()
    entry = SampleEntry(DAY, 6000, "EUR", bank_reference="BANK-9", text="INV-000012")

    await imported(books.tenant, camt053_document([entry]))

    payment = await Payment.get(client_id=books.muller.id)
    # 49.90 allocated, 10.10 the client's credit.
    assert (payment.amount_cents, payment.allocated_cents) == (6000, 4990)
    assert payment.created_at is not None


async def test_another_tenants_invoice_numbers_are_never_matched(db: str) -> None:
    books = await euro_books()
    other = await euro_books("globex")

    statement = await imported(other.tenant, day_file())
    assert statement.matched_count == 1

    assert (await reloaded(books.open_invoice)).status is InvoiceStatus.UNPAID
    assert (await reloaded(other.open_invoice)).status is InvoiceStatus.PAID


@pytest.mark.postgres_only
async def test_two_imports_of_one_file_racing_record_each_entry_once(db: str) -> None:
    books = await euro_books()
    await euro_invoice(books.lopez, "INV-000013", "25.00")
    entries = [
        SampleEntry(DAY, 4990, "EUR", bank_reference="BANK-1", text="INV-000012"),
        SampleEntry(DAY, 2500, "EUR", bank_reference="BANK-2", text="INV-000013"),
        SampleEntry(DAY, 1000, "EUR", bank_reference="BANK-3", text="Internet"),
    ]
    content = camt053_document(entries)

    statements = await asyncio.gather(*(imported(books.tenant, content) for _ in range(3)))

    assert sorted(s.matched_count for s in statements) == [0, 0, 2]
    assert sorted(s.duplicate_count for s in statements) == [0, 3, 3]
    assert await Payment.all().count() == 2
    assert await BankStatementEntry.exclude(status=EntryStatus.DUPLICATE).count() == 3
    assert (await reloaded(books.open_invoice)).balance_cents == 0


async def test_an_invoice_numbered_before_the_prefix_changed_is_matched(db: str) -> None:
    books = await euro_books()
    books.tenant.invoice_number_prefix = "ACME-"
    await books.tenant.save()
    entry = SampleEntry(DAY, 4990, "EUR", bank_reference="BANK-1", text="Rechnung INV-000012")

    statement = await imported(books.tenant, camt053_document([entry]))

    assert statement.matched_count == 1
    assert (await reloaded(books.open_invoice)).status is InvoiceStatus.PAID


async def test_a_statement_that_pays_what_was_past_grace_lifts_the_overdue_block(db: str) -> None:
    books = await euro_books()
    await Client.filter(id=books.muller.id).update(
        status=ClientStatus.OVERDUE, blocked=True, blocked_reason=BlockedReason.OVERDUE
    )

    await imported(books.tenant, day_file())

    client = await Client.get(id=books.muller.id)
    assert (client.status, client.blocked, client.blocked_reason) == (
        ClientStatus.ACTIVE,
        False,
        None,
    )
    assert await AuditEvent.filter(action=AuditAction.UNBLOCK).count() == 1
