"""The read side of the invoices pages: the invoice list (filters, live search, newest-first
keyset pages), the run page's client picker, and the list of runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pypika_tortoise.functions import Lower
from pypika_tortoise.terms import ValueWrapper
from tortoise.expressions import Q, ResolveContext
from tortoise.filters import Like, escape_like
from tortoise.query_utils import QueryModifier
from tortoise.queryset import QuerySet

from billing.invoices._newest import (
    PageSpec,
    count_matches,
    newest_invoices,
    newest_matches_among_recent,
)
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.totals import invoice_count
from orm.dialect import InSubquery
from orm.models import Client, Invoice, InvoiceRun

NEWEST_FIRST = ("-issued_on", "-id")
# A search matching at least this many invoices first looks through the newest invoices only.
FREQUENT_MATCHES = 1000
RECENT_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class InvoiceListFilter:
    """What the list shows; None (or an empty search or status list) leaves a filter off."""

    search: str | None = None
    statuses: Sequence[InvoiceStatus] | None = None
    client_id: int | None = None
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class ListPosition:
    """Where a page ends in the newest-first order: the last invoice's issue date and id."""

    issued_on: date
    id: int


@dataclass(frozen=True, slots=True)
class InvoicePage:
    invoices: list[Invoice]
    has_next_page: bool
    total_count: int
    # The page's invoices' clients by id.
    clients: dict[int, Client]


class LowerLike(Q):
    """`lower(column) LIKE lower(pattern) ESCAPE '\\'`: the form the trigram indexes on
    `lower(...)` serve on PostgreSQL, and a portable case-insensitive match elsewhere."""

    def __init__(self, column: str, pattern: str) -> None:
        super().__init__()
        self.column = column
        self.pattern = pattern

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        column = resolve_context.table[self.column]
        return QueryModifier(where_criterion=Like(Lower(column), Lower(ValueWrapper(self.pattern))))


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally."""
    return f"%{escape_like(text)}%"


def search_term(search: str | None) -> str | None:
    """The search a person typed, without surrounding blanks; None when nothing is left."""
    if search is None:
        return None
    return search.strip() or None


def clients_matching(tenant_id: int, search: str) -> QuerySet[Client]:
    """The tenant's clients whose name contains `search`, case-insensitively."""
    return Client.filter(tenant_id=tenant_id).filter(LowerLike("name", contains_pattern(search)))


def invoice_search(tenant_id: int, search: str) -> Q:
    """Invoice number or client name contains `search`, case-insensitively."""
    return Q(
        LowerLike("number", contains_pattern(search)),
        InSubquery("client_id", clients_matching(tenant_id, search).values("id")),
        join_type=Q.OR,
    )


def filtered_invoices(tenant_id: int, list_filter: InvoiceListFilter) -> QuerySet[Invoice]:
    """The tenant's invoices the filter lets through, unordered."""
    queryset = Invoice.filter(tenant_id=tenant_id)
    if list_filter.statuses:
        queryset = queryset.filter(status__in=list(list_filter.statuses))
    if list_filter.client_id is not None:
        queryset = queryset.filter(client_id=list_filter.client_id)
    if list_filter.run_id is not None:
        queryset = queryset.filter(run_id=list_filter.run_id)
    search = search_term(list_filter.search)
    if search is not None:
        queryset = queryset.filter(invoice_search(tenant_id, search))
    return queryset


def after_position(position: ListPosition) -> Q:
    """Invoices that come after `position` in the newest-first order."""
    return Q(issued_on__lt=position.issued_on) | Q(issued_on=position.issued_on, id__lt=position.id)


def position_of(invoice: Invoice) -> ListPosition:
    return ListPosition(issued_on=invoice.issued_on, id=invoice.id)


async def invoice_page(
    tenant_id: int,
    list_filter: InvoiceListFilter,
    *,
    first: int,
    after: ListPosition | None = None,
) -> InvoicePage:
    """Up to `first` invoices and their clients, newest issue date first then highest id
    first, starting after `after`; with whether more follow and how many the filter lets through
    in all."""
    total_count = await count_matching(tenant_id, list_filter)
    # One row more than asked tells whether another page follows.
    spec = _page_spec(tenant_id, list_filter, after, first + 1)
    search = search_term(list_filter.search)
    if search is None:
        rows = await newest_invoices(spec)
    else:
        rows = await _searched_page(spec, list_filter, search, total_count, after)
    return InvoicePage(
        invoices=[invoice for invoice, _ in rows[:first]],
        has_next_page=len(rows) > first,
        total_count=total_count,
        clients={client.id: client for _, client in rows[:first]},
    )


def _page_spec(
    tenant_id: int, list_filter: InvoiceListFilter, after: ListPosition | None, limit: int
) -> PageSpec:
    return PageSpec(
        tenant_id=tenant_id,
        statuses=tuple(list_filter.statuses or ()),
        client_id=list_filter.client_id,
        run_id=list_filter.run_id,
        after=(after.issued_on, after.id) if after else None,
        limit=limit,
    )


async def _searched_page(
    spec: PageSpec,
    list_filter: InvoiceListFilter,
    search: str,
    matches: int,
    after: ListPosition | None,
) -> list[tuple[Invoice, Client]]:
    """A search's page: from the newest invoices where many match and those hold the page,
    else from every match (through the trigram indexes)."""
    if matches >= FREQUENT_MATCHES:
        rows = await newest_matches_among_recent(spec, search, RECENT_WINDOW)
        if len(rows) == spec.limit:
            return rows
    matching = filtered_invoices(spec.tenant_id, list_filter)
    page_query = matching.filter(after_position(after)) if after else matching
    invoices = await page_query.order_by(*NEWEST_FIRST).limit(spec.limit)
    clients = await _clients_by_id(spec.tenant_id, invoices)
    return [(invoice, clients[invoice.client_id]) for invoice in invoices]


async def _clients_by_id(tenant_id: int, invoices: list[Invoice]) -> dict[int, Client]:
    """The invoices' clients, read once for the page."""
    if not invoices:
        return {}
    ids = list({invoice.client_id for invoice in invoices})
    return {client.id: client for client in await Client.filter(tenant_id=tenant_id, id__in=ids)}


async def count_matching(tenant_id: int, list_filter: InvoiceListFilter) -> int:
    """How many invoices the filter lets through; by status alone, from the kept totals."""
    search = search_term(list_filter.search)
    if search is None and list_filter.client_id is None and list_filter.run_id is None:
        return await invoice_count(tenant_id, list_filter.statuses)
    if search is None:
        return await filtered_invoices(tenant_id, list_filter).count()
    return await count_matches(_page_spec(tenant_id, list_filter, None, 0), search)


async def clients_for_picker(tenant_id: int, search: str | None, limit: int) -> list[Client]:
    """The run page's client picker: by name, optionally those whose name contains `search`."""
    term = search_term(search)
    clients = clients_matching(tenant_id, term) if term else Client.filter(tenant_id=tenant_id)
    return await clients.order_by("name", "id").limit(limit)


async def runs_newest_first(
    tenant_id: int, *, first: int, before_id: int | None = None
) -> tuple[list[InvoiceRun], bool]:
    """Up to `first` runs, newest first, after the run `before_id`; and whether more follow."""
    runs = InvoiceRun.filter(tenant_id=tenant_id)
    if before_id is not None:
        runs = runs.filter(id__lt=before_id)
    rows = await runs.order_by("-id").limit(first + 1)
    return rows[:first], len(rows) > first
