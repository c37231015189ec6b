"""The invoice list's pages, newest first, each invoice with its client, and a search's count,
each in one statement of hand-written SQL: the overview runs these on every request, where the
query builder's own cost shows.

A search that many invoices match looks through a window of the newest invoices only: a name
that many clients share fills a page from the latest invoices, without visiting every match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.filters import escape_like

from billing.invoices.lifecycle import InvoiceStatus
from orm.db import connection, sql_date
from orm.dialect import in_subquery, numbered_placeholder
from orm.models import Client, Invoice
from orm.rows import model_from_row, select_columns


@dataclass(frozen=True, slots=True)
class PageSpec:
    """Which invoices, from where, how many: the list filter without its search."""

    tenant_id: int
    statuses: tuple[InvoiceStatus, ...]
    client_id: int | None
    run_id: int | None
    after: tuple[date, int] | None  # the last shown invoice's issue date and id
    limit: int


class _Params:
    """Numbered placeholders with their values; a placeholder may be used more than once."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.values: list[object] = []

    def add(self, value: object) -> str:
        self.values.append(value)
        return numbered_placeholder(self.conn, len(self.values))


def _where(spec: PageSpec, params: _Params, table: str) -> str:
    """The spec's conditions on the invoices table named `table`."""
    where = [f"{table}.tenant_id = {params.add(spec.tenant_id)}"]
    if spec.statuses:
        marks = ", ".join(params.add(str(status)) for status in spec.statuses)
        where.append(f"{table}.status IN ({marks})")
    if spec.client_id is not None:
        where.append(f"{table}.client_id = {params.add(spec.client_id)}")
    if spec.run_id is not None:
        where.append(f"{table}.run_id = {params.add(spec.run_id)}")
    if spec.after is not None:
        day, last_id = spec.after
        stored_day = sql_date(params.conn, day)
        where.append(
            f"({table}.issued_on < {params.add(stored_day)} OR ({table}.issued_on = "
            f"{params.add(stored_day)} AND {table}.id < {params.add(last_id)}))"
        )
    return " AND ".join(where)


async def newest_invoices(spec: PageSpec) -> list[tuple[Invoice, Client]]:
    """Up to `spec.limit` invoices and their clients, newest issue date first, then highest id."""
    conn = connection()
    params = _Params(conn)
    rows = await conn.execute_query_dict(
        f"SELECT {select_columns(Invoice, 'i')}, {select_columns(Client, 'c')} "
        f"FROM invoices i JOIN clients c ON c.id = i.client_id WHERE {_where(spec, params, 'i')} "
        f"ORDER BY i.issued_on DESC, i.id DESC LIMIT {params.add(spec.limit)}",
        params.values,
    )
    return [(model_from_row(Invoice, row, "i"), model_from_row(Client, row, "c")) for row in rows]


async def count_matches(spec: PageSpec, search: str) -> int:
    """How many of the spec's invoices `search` matches (number or client name), in one
    statement: the invoices of matching clients counted from an index alone, then those that
    match by number only."""
    conn = connection()
    params = _Params(conn)
    pattern = params.add(f"%{escape_like(search)}%")
    owner = params.add(spec.tenant_id)
    names = (
        f"SELECT id FROM clients WHERE tenant_id = {owner} "
        f"AND lower(name) LIKE lower({pattern}) ESCAPE '\\'"
    )
    by_name = in_subquery(conn, "client_id", names)
    where = _where(spec, params, "invoices")
    rows = await conn.execute_query_dict(
        f"SELECT (SELECT count(*) FROM invoices WHERE {where} AND {by_name}) "
        f"+ (SELECT count(*) FROM invoices WHERE {where} "
        f"AND lower(number) LIKE lower({pattern}) ESCAPE '\\' AND NOT {by_name}) AS matches",
        params.values,
    )
    return int(rows[0]["matches"])


async def newest_matches_among_recent(
    spec: PageSpec, search: str, window: int
) -> list[tuple[Invoice, Client]]:
    """Up to `spec.limit` invoices among the newest `window` that `search` matches (number or
    client name, case-insensitively), with their clients, newest first."""
    conn = connection()
    params = _Params(conn)
    pattern = f"%{escape_like(search)}%"
    recent = (
        f"SELECT * FROM invoices WHERE {_where(spec, params, 'invoices')} "
        f"ORDER BY issued_on DESC, id DESC LIMIT {params.add(window)}"
    )
    rows = await conn.execute_query_dict(
        f"SELECT {select_columns(Invoice, 'i')}, {select_columns(Client, 'c')} "
        f"FROM ({recent}) AS i JOIN clients c ON c.id = i.client_id "
        f"WHERE lower(i.number) LIKE lower({params.add(pattern)}) ESCAPE '\\' "
        f"OR i.client_id IN (SELECT id FROM clients WHERE tenant_id = "
        f"{params.add(spec.tenant_id)} AND lower(name) LIKE lower({params.add(pattern)}) "
        "ESCAPE '\\') "
        f"ORDER BY i.issued_on DESC, i.id DESC LIMIT {params.add(spec.limit)}",
        params.values,
    )
    return [(model_from_row(Invoice, row, "i"), model_from_row(Client, row, "c")) for row in rows]
