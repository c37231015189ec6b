"""A person resolving an UNMATCHED bank entry: recording it as a payment of the client they
choose (`match_bank_entry`), or setting it aside (`ignore_bank_entry`).

Each locks the entry's row first, so two people resolving one entry at once never both succeed:
the second finds it resolved (BANK_ENTRY_RESOLVED). The statement's counts follow in the same
transaction, with the audit record.
"""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.bank_statements.matching import EntryStatus
from billing.bank_statements.paying import payment_reference
from billing.bank_statements.storing import as_bank_entry
from billing.errors import BillingRuleError, ErrorCode
from billing.money import from_minor_units
from billing.payments.methods import PaymentMethod
from billing.payments.recording import record_payment_in
from orm.models import BankStatement, BankStatementEntry, Tenant

ENTRY_FIELD = "entryId"
MATCHED_BY_HAND = "matched by hand"
IGNORED_BY_HAND = "ignored by hand"
COUNT_OF = {
    EntryStatus.MATCHED: "matched_count",
    EntryStatus.UNMATCHED: "unmatched_count",
    EntryStatus.IGNORED: "ignored_count",
    EntryStatus.DUPLICATE: "duplicate_count",
}


async def match_bank_entry(
    *,
    tenant: Tenant,
    user_id: int | None,
    entry_id: int,
    client_id: int,
    invoice_ids: Sequence[int] | None,
) -> BankStatementEntry:
    """Record the UNMATCHED entry as a payment of the client: to `invoice_ids` in order, or to
    the client's open invoices oldest due first, the rest as the client's credit."""
    async with in_transaction() as conn:
        entry = await _unmatched_entry(conn, tenant.id, entry_id)
        if entry.currency != tenant.currency.upper():
            raise BillingRuleError(
                ErrorCode.CURRENCY_MISMATCH,
                f"The entry is in {entry.currency}; payments are recorded in "
                f"{tenant.currency.upper()} only.",
                field=ENTRY_FIELD,
            )
        payment = await record_payment_in(
            conn,
            tenant=tenant,
            client_id=client_id,
            amount_cents=entry.amount_cents,
            received_on=entry.booked_on,
            method=PaymentMethod.BANK_TRANSFER,
            reference=payment_reference(as_bank_entry(entry)),
            invoice_ids=list(invoice_ids) if invoice_ids else None,
            user_id=user_id,
        )
        entry.payment_id = payment.id
        entry.invoice_id = invoice_ids[0] if invoice_ids else None
        await _resolve(conn, entry, EntryStatus.MATCHED, MATCHED_BY_HAND)
        await record_action(
            tenant_id=tenant.id,
            user_id=user_id,
            action=AuditAction.BANK_MATCH,
            invoice_id=entry.invoice_id,
            detail={
                "bank_entry_id": entry.id,
                "bank_statement_id": entry.statement_id,
                "bank_reference": entry.bank_reference,
                "payment_id": payment.id,
                "client_id": client_id,
                "invoice_ids": list(invoice_ids or []),
                "amount": str(from_minor_units(entry.amount_cents, entry.currency)),
            },
            using_db=conn,
        )
    return entry


async def ignore_bank_entry(
    *, tenant: Tenant, user_id: int | None, entry_id: int
) -> BankStatementEntry:
    """Set the UNMATCHED entry aside: it records nothing and waits for no one."""
    async with in_transaction() as conn:
        entry = await _unmatched_entry(conn, tenant.id, entry_id)
        await _resolve(conn, entry, EntryStatus.IGNORED, IGNORED_BY_HAND)
        await record_action(
            tenant_id=tenant.id,
            user_id=user_id,
            action=AuditAction.BANK_IGNORE,
            detail={
                "bank_entry_id": entry.id,
                "bank_statement_id": entry.statement_id,
                "bank_reference": entry.bank_reference,
                "amount": str(from_minor_units(entry.amount_cents, entry.currency)),
            },
            using_db=conn,
        )
    return entry


async def _unmatched_entry(
    conn: BaseDBAsyncClient, tenant_id: int, entry_id: int
) -> BankStatementEntry:
    """The tenant's entry under a row lock; NOT_FOUND, or BANK_ENTRY_RESOLVED unless UNMATCHED."""
    entry = (
        await BankStatementEntry.filter(id=entry_id, tenant_id=tenant_id)
        .select_for_update()
        .using_db(conn)
        .first()
    )
    if entry is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such bank entry.", field=ENTRY_FIELD)
    if entry.status is not EntryStatus.UNMATCHED:
        raise BillingRuleError(
            ErrorCode.BANK_ENTRY_RESOLVED,
            f"The bank entry is {entry.status.value.lower()} already; only an unmatched entry "
            "can be matched or ignored.",
            field=ENTRY_FIELD,
        )
    return entry


async def _resolve(
    conn: BaseDBAsyncClient, entry: BankStatementEntry, status: EntryStatus, note: str
) -> None:
    """The entry's new status, and the statement's counts moved with it."""
    before = entry.status
    entry.status = status
    entry.note = note
    await entry.save(using_db=conn, update_fields=["status", "note", "payment_id", "invoice_id"])
    statement = (
        await BankStatement.filter(id=entry.statement_id).select_for_update().using_db(conn).get()
    )
    setattr(statement, COUNT_OF[before], getattr(statement, COUNT_OF[before]) - 1)
    setattr(statement, COUNT_OF[status], getattr(statement, COUNT_OF[status]) + 1)
    await statement.save(using_db=conn, update_fields=[COUNT_OF[before], COUNT_OF[status]])
