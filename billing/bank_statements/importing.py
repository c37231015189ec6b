"""Importing a bank statement: read, match, store and record, all or nothing.

The file is read whole first (STATEMENT_UNREADABLE, saying where, and nothing stored when any
of it cannot be read). Then one transaction stores the statement and its entries and records a
payment for every entry the matcher MATCHED: an incoming entry in the tenant's currency whose
remittance names open invoices of one client pays that client, the named invoices first, the
rest to the client's other open invoices oldest due first, what is left as the client's credit.
Outgoing entries are IGNORED; the others stay UNMATCHED for a person (`resolving.py`). An entry
whose account and bank reference were imported before is a DUPLICATE and records nothing, even
when two imports of one file race (`storing.py`). Any error rolls everything back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.bank_statements.matching import (
    EntryStatus,
    OpenInvoiceIndex,
    match_entries,
)
from billing.bank_statements.model import (
    Balance,
    BankEntry,
    StatementFormat,
    StatementUnreadable,
)
from billing.bank_statements.model import BankStatement as ReadStatement
from billing.bank_statements.open_invoices import numbered_in
from billing.bank_statements.parsing import parse_statement
from billing.bank_statements.paying import pay_matched_entries
from billing.bank_statements.storing import StoredEntry, insert_entries, link_payments
from billing.errors import BillingRuleError, ErrorCode
from orm.models import BankStatement, Tenant

CONTENT_FIELD = "content"


def read_statement(content: str | bytes, statement_format: StatementFormat | str) -> ReadStatement:
    """The statement in the file; STATEMENT_UNREADABLE with where it cannot be read."""
    try:
        return parse_statement(content, statement_format)
    except StatementUnreadable as unreadable:
        raise BillingRuleError(
            ErrorCode.STATEMENT_UNREADABLE,
            f"The statement cannot be read: {unreadable}.",
            field=CONTENT_FIELD,
        ) from None


def guess_format(content: str | bytes) -> StatementFormat:
    """CAMT.053 for XML, MT940 otherwise: what a file's first characters say."""
    start = content[:200]
    text = start.decode("utf-8", "replace") if isinstance(start, bytes) else start
    xml = text.lstrip("\ufeff \t\r\n").startswith("<")
    return StatementFormat.CAMT053 if xml else StatementFormat.MT940


async def tenant_by_key(key: str | None) -> Tenant:
    """The tenant with this key; without a key, the only tenant there is (NOT_FOUND, or
    INVALID_INPUT where there is none or several to choose from)."""
    if key is not None:
        tenant = await Tenant.get_or_none(key=key)
        if tenant is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, f"No tenant has the key {key!r}.")
        return tenant
    tenants = await Tenant.all().order_by("key").limit(2)
    if len(tenants) != 1:
        found = "no tenant" if not tenants else "more than one tenant"
        raise BillingRuleError(ErrorCode.INVALID_INPUT, f"There is {found}: name one by its key.")
    return tenants[0]


async def import_bank_statement(
    *,
    tenant: Tenant,
    user_id: int | None,
    content: str | bytes,
    statement_format: StatementFormat | str,
) -> BankStatement:
    """Import the statement (BillingRuleError STATEMENT_UNREADABLE, nothing stored, where the
    file cannot be read); the stored statement with its counts."""
    statement = read_statement(content, statement_format)
    async with in_transaction() as conn:
        row = await BankStatement.create(
            tenant_id=tenant.id,
            format=statement.format,
            account=statement.account,
            currency=statement.currency,
            statement_id=statement.statement_id,
            opening_balance_cents=_balance(statement.opening_balance),
            closing_balance_cents=_balance(statement.closing_balance),
            entry_count=len(statement.entries),
            imported_by_id=user_id,
            using_db=conn,
        )
        stored = await _store_entries(conn, tenant, row, statement.entries)
        payments = await pay_matched_entries(
            conn,
            tenant=tenant,
            user_id=user_id,
            entries=[entry for entry in stored if entry.status is EntryStatus.MATCHED],
        )
        await link_payments(conn, payments)
        await _count(conn, row, stored)
        await record_action(
            tenant_id=tenant.id,
            user_id=user_id,
            action=AuditAction.BANK_IMPORT,
            detail={
                "bank_statement_id": row.id,
                "format": row.format.value,
                "account": row.account,
                "entries": row.entry_count,
                "matched": row.matched_count,
                "unmatched": row.unmatched_count,
                "duplicates": row.duplicate_count,
                "ignored": row.ignored_count,
            },
            using_db=conn,
        )
    return row


def _balance(balance: Balance | None) -> int | None:
    return balance.minor_units if balance is not None else None


async def _store_entries(
    conn: BaseDBAsyncClient, tenant: Tenant, row: BankStatement, entries: Sequence[BankEntry]
) -> list[StoredEntry]:
    """The entries matched against the open invoices their texts name, and written."""
    named = await numbered_in(conn, tenant, entries)
    matches = match_entries(entries, OpenInvoiceIndex(named), tenant.currency)
    return await insert_entries(
        conn,
        tenant_id=tenant.id,
        statement_id=row.id,
        account=row.account,
        entries=entries,
        matches=matches,
    )


async def _count(
    conn: BaseDBAsyncClient, row: BankStatement, stored: Sequence[StoredEntry]
) -> None:
    counts = Counter(entry.status for entry in stored)
    row.matched_count = counts[EntryStatus.MATCHED]
    row.unmatched_count = counts[EntryStatus.UNMATCHED]
    row.duplicate_count = counts[EntryStatus.DUPLICATE]
    row.ignored_count = counts[EntryStatus.IGNORED]
    await row.save(
        using_db=conn,
        update_fields=["matched_count", "unmatched_count", "duplicate_count", "ignored_count"],
    )
