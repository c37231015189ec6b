"""The invoice list's pages in any of its orders, each invoice with its client, and a search's
count, each in one statement of hand-written SQL: the overview runs these on every request, where
the query builder's own cost shows.

A page after a position compares the sort values and the id as one row value, after a plain bound
on the first sort value that lets an index on (tenant_id, value, id) start where the page does.

A search that many invoices match looks through a window of the newest invoices only: a name
that many clients share fills a page from the latest invoices, without visiting every match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.filters import escape_like

from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.overdue import OWED_STATUSES
from orm.db import connection, sql_date
from orm.dialect import in_subquery, numbered_placeholder
from orm.models import Client, Invoice
from orm.rows import model_from_row, select_columns


@dataclass(frozen=True, slots=True)
class PageSpec:
    """Which invoices, in which order, from where, how many: the list filter without its
    search (see `billing.invoices.listing.InvoiceListFilter`)."""

    tenant_id: int
    statuses: tuple[InvoiceStatus, ...]
    client_id: int | None
    run_id: int | None
    after: tuple[object, ...] | None  # the last shown invoice's sort values, then its id
    limit: int
    issued_from: date | None = None
    issued_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue_on: date | None = None
    total_min_cents: int | None = None
    total_max_cents: int | None = None
    # SQL over the invoice `i` and its client `c`; the id follows them in the same direction.
    sort_columns: tuple[str, ...] = ("i.issued_on",)
    descending: bool = True


class _Params:
    """Numbered placeholders with their values; a placeholder may be used more than once."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.values: list[object] = []

    def add(self, value: object) -> str:
        self.values.append(value)
        return numbered_placeholder(self.conn, len(self.values))


def _stored(conn: BaseDBAsyncClient, value: object) -> object:
    return sql_date(conn, value) if isinstance(value, date) else value


def _where(spec: PageSpec, params: _Params) -> str:
    """The spec's conditions on the invoices aliased `i` (the position's on `i` and `c`)."""
    where = [f"i.tenant_id = {params.add(spec.tenant_id)}"]
    if spec.statuses:
        marks = ", ".join(params.add(str(status)) for status in spec.statuses)
        where.append(f"i.status IN ({marks})")
    bounds = (
        ("i.client_id =", spec.client_id),
        ("i.run_id =", spec.run_id),
        ("i.issued_on >=", spec.issued_from),
        ("i.issued_on <=", spec.issued_to),
        ("i.due_on >=", spec.due_from),
        ("i.due_on <=", spec.due_to),
        ("i.total_cents >=", spec.total_min_cents),
        ("i.total_cents <=", spec.total_max_cents),
    )
    for condition, value in bounds:
        if value is not None:
            where.append(f"{condition} {params.add(_stored(params.conn, value))}")
    if spec.overdue_on is not None:
        owed = ", ".join(params.add(str(status)) for status in OWED_STATUSES)
        where.append(
            f"i.status IN ({owed}) AND i.balance_cents > 0 "
            f"AND i.due_on < {params.add(sql_date(params.conn, spec.overdue_on))}"
        )
    if spec.after is not None:
        where.append(_after(spec, params))
    return " AND ".join(where)


def _after(spec: PageSpec, params: _Params) -> str:
    """Rows past `spec.after` in the spec's order."""
    assert spec.after is not None
    before_or_after = "<" if spec.descending else ">"
    marks = [params.add(_stored(params.conn, value)) for value in spec.after]
    columns = ", ".join((*spec.sort_columns, "i.id"))
    return (
        f"{spec.sort_columns[0]} {before_or_after}= {marks[0]} "
        f"AND ({columns}) {before_or_after} ({', '.join(marks)})"
    )


def _order_by(spec: PageSpec) -> str:
    direction = " DESC" if spec.descending else ""
    return ", ".join(f"{column}{direction}" for column in (*spec.sort_columns, "i.id"))


def _search_condition(params: _Params, tenant_id: int, search: str) -> str:
    """The invoice `i`'s number or its client's name contains `search`, case-insensitively."""
    pattern = f"%{escape_like(search)}%"
    return (
        f"(lower(i.number) LIKE lower({params.add(pattern)}) ESCAPE '\\' "
        f"OR i.client_id IN (SELECT id FROM clients WHERE tenant_id = {params.add(tenant_id)} "
        f"AND lower(name) LIKE lower({params.add(pattern)}) ESCAPE '\\'))"
    )


def _with_clients(rows: Sequence[dict]) -> list[tuple[Invoice, Client]]:
    return [(model_from_row(Invoice, row, "i"), model_from_row(Client, row, "c")) for row in rows]


async def sorted_invoices(
    spec: PageSpec, search: str | None = None
) -> list[tuple[Invoice, Client]]:
    """Up to `spec.limit` invoices and their clients in the spec's order, those `search`
    matches where given."""
    conn = connection()
    params = _Params(conn)
    where = _where(spec, params)
    if search is not None:
        where += f" AND {_search_condition(params, spec.tenant_id, search)}"
    rows = await conn.execute_query_dict(
        f"SELECT {select_columns(Invoice, 'i')}, {select_columns(Client, 'c')} "
        # The client's tenant named too: the client order then walks the clients' index on
        # (tenant_id, name, id) and each one's invoices, instead of sorting every client.
        f"FROM invoices i JOIN clients c ON c.id = i.client_id AND c.tenant_id = i.tenant_id "
        f"WHERE {where} ORDER BY {_order_by(spec)} LIMIT {params.add(spec.limit)}",
        params.values,
    )
    return _with_clients(rows)


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
    by_name = in_subquery(conn, "i.client_id", names)
    where = _where(spec, params)
    rows = await conn.execute_query_dict(
        f"SELECT (SELECT count(*) FROM invoices i WHERE {where} AND {by_name}) "
        f"+ (SELECT count(*) FROM invoices i WHERE {where} "
        f"AND lower(i.number) LIKE lower({pattern}) ESCAPE '\\' AND NOT {by_name}) AS matches",
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
        f"SELECT * FROM invoices i WHERE {_where(spec, params)} "
        f"ORDER BY i.issued_on DESC, i.id DESC LIMIT {params.add(window)}"
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
    return _with_clients(rows)
