"""Writing a statement's entries: each once per tenant, account and bank reference.

The entries are inserted set-at-a-time with ON CONFLICT DO NOTHING on the partial unique index
over the entries that are not DUPLICATE (migration 0015). An entry the index already holds, from
an earlier import, from a concurrent import of the same file (PostgreSQL makes the insert wait
for that import's commit, then reports the conflict) or from earlier in the same file, is not
inserted; it is then written as DUPLICATE, which records nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.bank_statements.matching import EntryMatch, EntryStatus
from billing.bank_statements.model import BankEntry, Direction
from billing.money import from_minor_units
from orm.db import placeholders, sql_date
from orm.dialect import bigint_parameter
from orm.models import BankStatementEntry

COLUMNS = (
    "tenant_id",
    "statement_id",
    "position",
    "account",
    "booked_on",
    "amount_cents",
    "currency",
    "direction",
    "counterparty",
    "remittance",
    "bank_reference",
    "status",
    "note",
    "invoice_id",
)
# Rows per INSERT: well inside both databases' limits on parameters (14 a row).
ROWS_PER_INSERT = 1_000
ONE_PER_REFERENCE = (
    "ON CONFLICT (tenant_id, account, bank_reference) WHERE status <> 'DUPLICATE' DO NOTHING"
)
ALREADY_IMPORTED = "already imported: the account and bank reference were imported before"
DUPLICATE = EntryMatch(EntryStatus.DUPLICATE, ALREADY_IMPORTED)
POSITION = COLUMNS.index("position")
STATUS = COLUMNS.index("status")


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry of the statement as written: its row id, the entry and what the matcher said."""

    entry_id: int
    position: int
    entry: BankEntry
    match: EntryMatch

    @property
    def status(self) -> EntryStatus:
        return self.match.status


async def insert_entries(
    conn: BaseDBAsyncClient,
    *,
    tenant_id: int,
    statement_id: int,
    account: str,
    entries: Sequence[BankEntry],
    matches: Sequence[EntryMatch],
) -> list[StoredEntry]:
    """Write the entries with their matches, in the statement's order; those already held are
    written DUPLICATE (their returned match says so)."""
    rows = [
        _row(conn, tenant_id, statement_id, account, position, entry, match)
        for position, (entry, match) in enumerate(zip(entries, matches, strict=True))
    ]
    inserted: dict[int, int] = {}
    for chunk in _chunks(rows):
        inserted.update(await _insert(conn, chunk, ONE_PER_REFERENCE))
    held = [row for row in rows if row[POSITION] not in inserted]
    for chunk in _chunks([_as_duplicate(row) for row in held]):
        inserted.update(await _insert(conn, chunk, ""))
    duplicates = {row[POSITION] for row in held}
    return [
        StoredEntry(
            entry_id=inserted[position],
            position=position,
            entry=entry,
            match=DUPLICATE if position in duplicates else match,
        )
        for position, (entry, match) in enumerate(zip(entries, matches, strict=True))
    ]


def _row(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    statement_id: int,
    account: str,
    position: int,
    entry: BankEntry,
    match: EntryMatch,
) -> list[object]:
    return [
        tenant_id,
        statement_id,
        position,
        account,
        sql_date(conn, entry.booked_on),
        entry.minor_units,
        entry.currency,
        entry.direction.value,
        entry.counterparty,
        entry.remittance,
        entry.bank_reference,
        match.status.value,
        match.reason,
        match.invoice_ids[0] if match.invoice_ids else None,
    ]


def _as_duplicate(row: list[object]) -> list[object]:
    """The row written DUPLICATE: no status but that one, no invoice."""
    return [*row[:STATUS], EntryStatus.DUPLICATE.value, ALREADY_IMPORTED, None]


def _chunks(rows: Sequence[list[object]]) -> Iterable[Sequence[list[object]]]:
    for start in range(0, len(rows), ROWS_PER_INSERT):
        yield rows[start : start + ROWS_PER_INSERT]


async def _insert(
    conn: BaseDBAsyncClient, rows: Sequence[list[object]], on_conflict: str
) -> dict[int, int]:
    """Insert the rows; {position: id} of those inserted."""
    width = len(COLUMNS)
    marks = placeholders(conn, width * len(rows))
    values = ", ".join(
        f"({', '.join(marks[index * width : (index + 1) * width])})" for index in range(len(rows))
    )
    sql = (
        f"INSERT INTO bank_statement_entries ({', '.join(COLUMNS)}) VALUES {values} "
        f"{on_conflict} RETURNING id, position"
    )
    returned = await conn.execute_query_dict(sql, [value for row in rows for value in row])
    return {row["position"]: row["id"] for row in returned}


async def link_payments(conn: BaseDBAsyncClient, payment_of_entry: Mapping[int, int]) -> None:
    """Set each entry's payment, a thousand entries an UPDATE."""
    pairs = sorted(payment_of_entry.items())
    for start in range(0, len(pairs), ROWS_PER_INSERT):
        chunk = pairs[start : start + ROWS_PER_INSERT]
        marks = placeholders(conn, 3 * len(chunk))
        cases = " ".join(
            f"WHEN {marks[2 * index]} THEN {bigint_parameter(conn, marks[2 * index + 1])}"
            for index in range(len(chunk))
        )
        ids = ", ".join(marks[2 * len(chunk) :])
        params = [value for pair in chunk for value in pair] + [entry for entry, _ in chunk]
        await conn.execute_query(
            f"UPDATE bank_statement_entries SET payment_id = CASE id {cases} END "
            f"WHERE id IN ({ids})",
            params,
        )


def as_bank_entry(row: BankStatementEntry) -> BankEntry:
    """A stored entry as the matcher reads it."""
    return BankEntry(
        booked_on=row.booked_on,
        amount=from_minor_units(row.amount_cents, row.currency),
        minor_units=row.amount_cents,
        currency=row.currency,
        direction=Direction(row.direction),
        bank_reference=row.bank_reference,
        counterparty=row.counterparty,
        remittance=row.remittance,
    )
