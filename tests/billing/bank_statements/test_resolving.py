"""A person resolving unmatched entries: matching one to a client and invoices, ignoring one,
and the suggestions they choose from. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from billing.audit.actions import AuditAction
from billing.bank_statements.matching import EntryStatus
from billing.bank_statements.resolving import ignore_bank_entry, match_bank_entry
from billing.bank_statements.samples import SampleEntry, camt053_document, reconciliation_day
from billing.bank_statements.suggestions import suggested_invoice_ids
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from orm.models import AuditEvent, BankStatement, BankStatementEntry, Payment
from tests.billing.bank_statements.support import (
    Books,
    entries_of,
    euro_books,
    euro_invoice,
    imported,
    reloaded,
)

pytestmark = pytest.mark.asyncio

DAY = date(2026, 11, 30)


async def statement_of(books: Books, *entries: SampleEntry) -> list[BankStatementEntry]:
    return await entries_of(await imported(books.tenant, camt053_document(list(entries))))


def waiting(
    amount: int = 2500, counterparty: str = "Ana Lopez", reference: str = "B-1"
) -> SampleEntry:
    return SampleEntry(
        DAY, amount, "EUR", bank_reference=reference, counterparty=counterparty, text="Internet"
    )


async def test_matching_an_entry_pays_the_chosen_invoices(db: str) -> None:
    books = await euro_books()
    invoice = await euro_invoice(books.lopez, "INV-000013", "25.00")
    (entry,) = await statement_of(books, waiting())

    matched = await match_bank_entry(
        tenant=books.tenant,
        user_id=None,
        entry_id=entry.id,
        client_id=books.lopez.id,
        invoice_ids=[invoice.id],
    )

    assert matched.status is EntryStatus.MATCHED
    payment = await Payment.get(id=matched.payment_id)
    assert (payment.client_id, payment.amount_cents) == (books.lopez.id, 2500)
    assert (await reloaded(invoice)).status is InvoiceStatus.PAID
    statement = await BankStatement.get(id=entry.statement_id)
    assert (statement.matched_count, statement.unmatched_count) == (1, 0)


async def test_matching_without_invoices_pays_the_oldest_first(db: str) -> None:
    books = await euro_books()
    newer = await euro_invoice(books.lopez, "INV-000014", "25.00", due_on=date(2026, 12, 15))
    older = await euro_invoice(books.lopez, "INV-000013", "25.00", due_on=date(2026, 10, 15))
    (entry,) = await statement_of(books, waiting())

    await match_bank_entry(
        tenant=books.tenant,
        user_id=None,
        entry_id=entry.id,
        client_id=books.lopez.id,
        invoice_ids=None,
    )

    assert (await reloaded(older)).status is InvoiceStatus.PAID
    assert (await reloaded(newer)).status is InvoiceStatus.UNPAID


async def test_a_matched_entry_cannot_be_matched_again(db: str) -> None:
    books = await euro_books()
    (entry,) = await statement_of(books, reconciliation_day("INV-000012")["matched"])

    with pytest.raises(BillingRuleError) as refusal:
        await match_bank_entry(
            tenant=books.tenant,
            user_id=None,
            entry_id=entry.id,
            client_id=books.lopez.id,
            invoice_ids=None,
        )

    assert refusal.value.code is ErrorCode.BANK_ENTRY_RESOLVED
    assert "matched" in refusal.value.message
    assert await Payment.all().count() == 1


@pytest.mark.parametrize("kind", ["duplicate", "outgoing"])
async def test_duplicate_and_outgoing_entries_are_refused(db: str, kind: str) -> None:
    books = await euro_books()
    day = reconciliation_day("INV-000012")
    entries = await statement_of(books, day["matched"], day[kind])

    with pytest.raises(BillingRuleError) as refusal:
        await match_bank_entry(
            tenant=books.tenant,
            user_id=None,
            entry_id=entries[1].id,
            client_id=books.muller.id,
            invoice_ids=None,
        )

    assert refusal.value.code is ErrorCode.BANK_ENTRY_RESOLVED
    assert await Payment.all().count() == 1


async def test_an_entry_in_another_currency_is_refused(db: str) -> None:
    books = await euro_books()
    (entry,) = await statement_of(books, reconciliation_day("INV-000012")["other_currency"])

    with pytest.raises(BillingRuleError) as refusal:
        await match_bank_entry(
            tenant=books.tenant,
            user_id=None,
            entry_id=entry.id,
            client_id=books.muller.id,
            invoice_ids=None,
        )

    assert refusal.value.code is ErrorCode.CURRENCY_MISMATCH
    assert (await BankStatementEntry.get(id=entry.id)).status is EntryStatus.UNMATCHED
    assert await Payment.all().count() == 0


async def test_another_tenants_entry_is_not_found(db: str) -> None:
    books = await euro_books()
    other = await euro_books("globex")
    (entry,) = await statement_of(other, waiting())

    with pytest.raises(BillingRuleError) as refusal:
        await ignore_bank_entry(tenant=books.tenant, user_id=None, entry_id=entry.id)

    assert refusal.value.code is ErrorCode.NOT_FOUND


async def test_ignoring_sets_the_entry_aside(db: str) -> None:
    books = await euro_books()
    (entry,) = await statement_of(books, waiting())

    ignored = await ignore_bank_entry(tenant=books.tenant, user_id=None, entry_id=entry.id)

    assert ignored.status is EntryStatus.IGNORED and ignored.payment_id is None
    statement = await BankStatement.get(id=entry.statement_id)
    assert (statement.unmatched_count, statement.ignored_count) == (0, 1)
    event = await AuditEvent.get(action=AuditAction.BANK_IGNORE)
    assert event.detail["bank_entry_id"] == entry.id
    with pytest.raises(BillingRuleError) as refusal:
        await ignore_bank_entry(tenant=books.tenant, user_id=None, entry_id=entry.id)
    assert refusal.value.code is ErrorCode.BANK_ENTRY_RESOLVED


async def test_a_match_is_audited(db: str) -> None:
    books = await euro_books()
    invoice = await euro_invoice(books.lopez, "INV-000013", "25.00")
    (entry,) = await statement_of(books, waiting())

    matched = await match_bank_entry(
        tenant=books.tenant,
        user_id=None,
        entry_id=entry.id,
        client_id=books.lopez.id,
        invoice_ids=[invoice.id],
    )

    event = await AuditEvent.get(action=AuditAction.BANK_MATCH)
    assert event.invoice_id == invoice.id
    assert event.detail["payment_id"] == matched.payment_id


@pytest.mark.postgres_only
async def test_two_people_matching_one_entry_record_one_payment(db: str) -> None:
    books = await euro_books()
    await euro_invoice(books.lopez, "INV-000013", "25.00")
    (entry,) = await statement_of(books, waiting())

    outcomes = await asyncio.gather(
        *(
            match_bank_entry(
                tenant=books.tenant,
                user_id=None,
                entry_id=entry.id,
                client_id=books.lopez.id,
                invoice_ids=None,
            )
            for _ in range(2)
        ),
        return_exceptions=True,
    )

    refused = [o for o in outcomes if isinstance(o, BillingRuleError)]
    assert [r.code for r in refused] == [ErrorCode.BANK_ENTRY_RESOLVED], outcomes
    assert await Payment.all().count() == 1


async def test_suggestions_are_open_invoices_of_the_same_amount_or_the_named_client(
    db: str,
) -> None:
    books = await euro_books()
    same_amount = await euro_invoice(books.muller, "INV-000020", "25.00")
    of_lopez = await euro_invoice(books.lopez, "INV-000021", "80.00")
    entries = await statement_of(
        books,
        waiting(counterparty="Somebody Else", reference="B-1"),
        waiting(amount=1234, counterparty="LOPEZ, ANA", reference="B-2"),
    )

    found = await suggested_invoice_ids(books.tenant, entries)

    assert found[entries[0].id] == (same_amount.id,)
    assert found[entries[1].id] == (of_lopez.id,)


async def test_the_named_clients_invoice_of_that_amount_comes_first(db: str) -> None:
    books = await euro_books()
    await euro_invoice(books.muller, "INV-000020", "25.00", due_on=date(2026, 9, 1))
    lopez_same = await euro_invoice(books.lopez, "INV-000021", "25.00")
    lopez_other = await euro_invoice(books.lopez, "INV-000022", "99.00", due_on=date(2026, 8, 1))
    (entry,) = await statement_of(books, waiting())

    found = await suggested_invoice_ids(books.tenant, [entry])

    assert found[entry.id][:2] == (lopez_same.id, lopez_other.id)


async def test_no_suggestions_for_another_currency_or_resolved_entries(db: str) -> None:
    books = await euro_books()
    day = reconciliation_day("INV-000012")
    entries = await statement_of(books, day["matched"], day["outgoing"], day["other_currency"])

    assert await suggested_invoice_ids(books.tenant, entries) == {}


async def test_paid_invoices_are_never_suggested(db: str) -> None:
    books = await euro_books()
    paid = await euro_invoice(books.lopez, "INV-000013", "25.00")
    paid.status, paid.balance_cents = InvoiceStatus.PAID, 0
    await paid.save()
    (entry,) = await statement_of(books, waiting())

    assert (await suggested_invoice_ids(books.tenant, [entry]))[entry.id] == ()
