"""The open invoices a statement can concern, read set-at-a-time for the matcher's index.

One query per kind, whatever the number of entries: the invoices whose numbers the remittance
texts name, the few oldest per balance among the entries' amounts, the clients with open
invoices (their names, for counterparties) and those clients' open invoices. Open: issued,
not void, something left to pay, in the tenant's currency.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.bank_statements.matching import MAX_SUGGESTIONS, OpenInvoice, candidate_numbers
from billing.bank_statements.model import BankEntry
from billing.invoices.lifecycle import PAYABLE_STATUSES
from orm.db import placeholders
from orm.models import Tenant

# Enough rows per statement of IN-list parameters for SQLite's limit (32,766) and PostgreSQL's.
CHUNK = 5_000
OPEN_STATUSES = ", ".join(f"'{status.value}'" for status in PAYABLE_STATUSES)
COLUMNS = "i.id, i.number, i.client_id, c.name, i.balance_cents, i.due_on"
OPEN = (
    f"i.tenant_id = {{0}} AND i.currency = {{1}} AND i.status IN ({OPEN_STATUSES}) "
    "AND i.balance_cents > 0"
)


def _open_invoice(row: dict[str, Any]) -> OpenInvoice:
    due_on = row["due_on"]
    return OpenInvoice(
        invoice_id=row["id"],
        number=row["number"],
        client_id=row["client_id"],
        client_name=row["name"],
        balance_minor_units=row["balance_cents"],
        # SQLite returns dates of raw queries as ISO text.
        due_on=date.fromisoformat(due_on[:10]) if isinstance(due_on, str) else due_on,
    )


def _chunks(values: Collection[Any]) -> Iterable[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


async def _rows_in(
    conn: BaseDBAsyncClient, tenant_id: int, currency: str, column: str, values: Collection[Any]
) -> list[OpenInvoice]:
    found: list[OpenInvoice] = []
    for chunk in _chunks(values):
        marks = placeholders(conn, len(chunk) + 2)
        sql = (
            f"SELECT {COLUMNS} FROM invoices i JOIN clients c ON c.id = i.client_id "
            f"WHERE {OPEN.format(marks[0], marks[1])} AND {column} IN ({', '.join(marks[2:])})"
        )
        rows = await conn.execute_query_dict(sql, [tenant_id, currency, *chunk])
        found += [_open_invoice(row) for row in rows]
    return found


async def open_invoices_numbered(
    conn: BaseDBAsyncClient, tenant_id: int, currency: str, numbers: Collection[str]
) -> list[OpenInvoice]:
    """The open invoices among these numbers."""
    return await _rows_in(conn, tenant_id, currency, "i.number", numbers)


async def open_invoices_of_clients(
    conn: BaseDBAsyncClient, tenant_id: int, currency: str, client_ids: Collection[int]
) -> list[OpenInvoice]:
    """Every open invoice of these clients."""
    return await _rows_in(conn, tenant_id, currency, "i.client_id", client_ids)


async def oldest_open_invoices_by_balance(
    conn: BaseDBAsyncClient, tenant_id: int, currency: str, amounts: Collection[int]
) -> list[OpenInvoice]:
    """For each amount, the MAX_SUGGESTIONS open invoices with that balance due first."""
    found: list[OpenInvoice] = []
    for chunk in _chunks(amounts):
        marks = placeholders(conn, len(chunk) + 3)
        sql = (
            f"SELECT * FROM (SELECT {COLUMNS}, ROW_NUMBER() OVER ("
            "PARTITION BY i.balance_cents ORDER BY i.due_on, i.number) AS rank "
            "FROM invoices i JOIN clients c ON c.id = i.client_id "
            f"WHERE {OPEN.format(marks[0], marks[1])} "
            f"AND i.balance_cents IN ({', '.join(marks[2:-1])})) ranked "
            f"WHERE rank <= {marks[-1]}"
        )
        # In the order the markers appear: SQLite's are positional.
        rows = await conn.execute_query_dict(sql, [tenant_id, currency, *chunk, MAX_SUGGESTIONS])
        found += [_open_invoice(row) for row in rows]
    return found


async def names_of_clients_owing(
    conn: BaseDBAsyncClient, tenant_id: int, currency: str
) -> list[tuple[int, str]]:
    """(id, name) of every client with an open invoice: whom a counterparty may name."""
    marks = placeholders(conn, 3)
    exists = (
        f"SELECT 1 FROM invoices i WHERE i.client_id = c.id AND {OPEN.format(marks[1], marks[2])}"
    )
    rows = await conn.execute_query_dict(
        f"SELECT c.id, c.name FROM clients c WHERE c.tenant_id = {marks[0]} AND EXISTS ({exists})",
        [tenant_id, tenant_id, currency],
    )
    return [(row["id"], row["name"]) for row in rows]


async def number_prefixes(
    conn: BaseDBAsyncClient, tenant_id: int, currency: str, current_prefix: str
) -> set[str]:
    """The prefixes open invoices' numbers carry (what is left of a number without its trailing
    digits), with the tenant's current one: invoices imported from another system, or issued
    before the prefix changed, keep theirs and are still paid by their number."""
    marks = placeholders(conn, 2)
    rows = await conn.execute_query_dict(
        "SELECT DISTINCT rtrim(i.number, '0123456789') AS prefix FROM invoices i "
        f"WHERE {OPEN.format(marks[0], marks[1])} AND i.number IS NOT NULL",
        [tenant_id, currency],
    )
    return {current_prefix} | {row["prefix"] for row in rows if row["prefix"]}


async def numbered_in(
    conn: BaseDBAsyncClient, tenant: Tenant, entries: Sequence[BankEntry]
) -> list[OpenInvoice]:
    """The open invoices whose numbers the entries' remittance texts name."""
    currency = tenant.currency.upper()
    prefixes = await number_prefixes(conn, tenant.id, currency, tenant.invoice_number_prefix)
    numbers = set().union(*(candidate_numbers(entries, prefix) for prefix in prefixes))
    return await open_invoices_numbered(conn, tenant.id, currency, numbers)


def distinct(invoices: Sequence[OpenInvoice]) -> list[OpenInvoice]:
    """Each invoice once (the lookups overlap)."""
    return list({invoice.invoice_id: invoice for invoice in invoices}.values())
