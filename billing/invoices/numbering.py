"""Issuing invoices: numbers, per tenant, gap-free, assigned set-at-a-time.

An issuing run takes its numbers as it writes its invoices (`take_numbers`); a review run writes
drafts, which `finalize` issues later in one step (`issue_drafts`). Either way the tenant's
sequence row is raised under its row lock in the writing transaction: a rolled-back transaction
takes its numbers back with it (no gaps), and concurrent issuers take turns on the lock (no
duplicates). A unique index on (tenant, number) is the last word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus, issued_status_sql
from orm.db import placeholders
from orm.dialect import bigint_parameter, zero_padded

NUMBER_DIGITS = 6
# The sequence column is a signed 64-bit integer.
LAST_SEQUENCE = 2**63 - 1
NUMBERS_USED_UP = (
    "The tenant's invoice numbers are used up: its sequence is at the largest number there is. "
    "Lower the sequence or change the number prefix before issuing more invoices."
)


@dataclass(frozen=True, slots=True)
class DraftScope:
    """Which drafts to issue: a run's, optionally only those of a client-id range (a chunk)."""

    tenant_id: int
    run_id: int
    first_client_id: int | None = None
    last_client_id: int | None = None

    def where(self, conn: BaseDBAsyncClient, start: int) -> tuple[str, list[object]]:
        marks = placeholders(conn, 4, start)
        sql = (
            f"tenant_id = {marks[0]} AND run_id = {marks[1]} "
            f"AND status = '{InvoiceStatus.DRAFT.value}'"
        )
        params: list[object] = [self.tenant_id, self.run_id]
        if self.first_client_id is not None:
            sql += f" AND client_id BETWEEN {marks[2]} AND {marks[3]}"
            params += [self.first_client_id, self.last_client_id]
        return sql, params


def invoice_number(prefix: str, sequence: int) -> str:
    """The prefix and the sequence, zero-padded to six digits (longer once past 999999)."""
    return f"{prefix}{sequence:0{NUMBER_DIGITS}d}"


def invoice_sequence(number: str | None, prefix: str) -> int | None:
    """The sequence an invoice number of this prefix carries: the prefix followed only by
    digits; None for a number in any other form."""
    if not number or not number.startswith(prefix):
        return None
    digits = number[len(prefix) :]
    if not digits.isdecimal():
        return None
    return int(digits)


def highest_sequence(numbers: Iterable[str | None], prefix: str) -> int:
    """The largest sequence among the invoice numbers of this prefix (0 where none has one)."""
    sequences = (invoice_sequence(number, prefix) for number in numbers)
    return max((sequence for sequence in sequences if sequence is not None), default=0)


def invoice_number_sql(conn: BaseDBAsyncClient, prefix: str, sequence: str) -> str:
    """`invoice_number` as an SQL expression of the connection's dialect, over a prefix and a
    sequence expression."""
    return zero_padded(conn, prefix, f"({sequence})", NUMBER_DIGITS)


async def _raise_sequence(conn: BaseDBAsyncClient, tenant_id: int, count: int) -> tuple[str, int]:
    """Raise the tenant's sequence by `count` (locking its row until the transaction ends);
    returns the number prefix and the first of the sequence values taken.

    Refused (nothing raised) when the sequence has fewer than `count` numbers left: past its
    limit PostgreSQL fails the statement and SQLite would turn the number into a float."""
    marks = placeholders(conn, 3)
    rows = await conn.execute_query_dict(
        f"UPDATE tenants SET invoice_sequence = invoice_sequence + {marks[0]} "
        f"WHERE id = {marks[1]} AND invoice_sequence <= {marks[2]} "
        "RETURNING invoice_sequence, invoice_number_prefix",
        [count, tenant_id, LAST_SEQUENCE - count],
    )
    if not rows:
        raise BillingRuleError(ErrorCode.INVALID_INPUT, NUMBERS_USED_UP)
    return rows[0]["invoice_number_prefix"], int(rows[0]["invoice_sequence"]) - count + 1


async def take_numbers(conn: BaseDBAsyncClient, tenant_id: int, count: int) -> list[str]:
    """`count` consecutive invoice numbers of the tenant, for invoices written issued in the
    caller's transaction, in the order of their ids."""
    if count == 0:
        return []
    prefix, first = await _raise_sequence(conn, tenant_id, count)
    return [invoice_number(prefix, sequence) for sequence in range(first, first + count)]


async def issue_drafts(conn: BaseDBAsyncClient, scope: DraftScope) -> int:
    """Number the scope's drafts in id order and make them UNPAID (PAID where the total is zero).

    Must run inside the caller's transaction. Returns how many invoices were issued.
    """
    where, params = scope.where(conn, 1)
    rows = await conn.execute_query_dict(
        f"SELECT count(*) AS n FROM invoices WHERE {where}", params
    )
    count = int(rows[0]["n"])
    if count == 0:
        return 0
    prefix, first = await _raise_sequence(conn, scope.tenant_id, count)
    await conn.execute_query(*_numbering_update(conn, scope, prefix, first))
    return count


def _numbering_update(
    conn: BaseDBAsyncClient, scope: DraftScope, prefix: str, first: int
) -> tuple[str, list[object]]:
    head = placeholders(conn, 2)
    where, params = scope.where(conn, 3)
    sequence = f"{bigint_parameter(conn, head[1])} - 1 + ranked.position"
    number = invoice_number_sql(conn, head[0], sequence)
    sql = (
        f"UPDATE invoices SET number = {number}, "
        f"status = {issued_status_sql('invoices.total_cents')}, "
        "balance_cents = invoices.total_cents "
        "FROM (SELECT id, row_number() OVER (ORDER BY id) AS position "
        f"FROM invoices WHERE {where}) AS ranked "
        "WHERE invoices.id = ranked.id"
    )
    return sql, [prefix, first, *params]
