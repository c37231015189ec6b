"""The read side of the invoices pages: the invoice list (filters, live search, sort orders, keyset
pages), the run page's client picker, and the list of runs.

Every sort order ends with the invoice id in the same direction, so a page's last invoice is a
position the next page starts after, stable while invoices come and go."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pypika_tortoise.functions import Lower
from pypika_tortoise.terms import ValueWrapper
from tortoise.expressions import Q, ResolveContext
from tortoise.filters import Like, escape_like
from tortoise.query_utils import QueryModifier
from tortoise.queryset import QuerySet

from billing.invoices._newest import (
    PageSpec,
    count_matches,
    newest_matches_among_recent,
    sorted_invoices,
)
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.overdue import OWED_STATUSES
from billing.invoices.totals import invoice_count
from orm.dialect import InSubquery
from orm.models import Client, Invoice, InvoiceRun

NEWEST_FIRST = ("-issued_on", "-id")
# A search matching at least this many invoices first looks through the newest invoices only.
FREQUENT_MATCHES = 1000
RECENT_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class InvoiceListFilter:
    """What the list shows; None (or an empty search or status list) leaves a filter off.

    Date bounds are inclusive; amounts are the total in minor units, inclusive. `overdue_on`
    keeps the invoices overdue on that day (the tenant's today): see `billing.invoices.overdue`.
    """

    search: str | None = None
    statuses: Sequence[InvoiceStatus] | None = None
    client_id: int | None = None
    run_id: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue_on: date | None = None
    total_min_cents: int | None = None
    total_max_cents: int | None = None

    @property
    def by_status_only(self) -> bool:
        """True where nothing but statuses (or nothing) narrows the list."""
        return not any(
            value is not None
            for value in (
                search_term(self.search),
                self.client_id,
                self.run_id,
                self.issued_from,
                self.issued_to,
                self.due_from,
                self.due_to,
                self.overdue_on,
                self.total_min_cents,
                self.total_max_cents,
            )
        )


class InvoiceSortKey(StrEnum):
    """What the list can be sorted by; the invoice id breaks ties."""

    NUMBER = "number"
    CLIENT = "client"
    ISSUED = "issued"
    DUE = "due"
    TOTAL = "total"
    BALANCE = "balance"


@dataclass(frozen=True, slots=True)
class InvoiceOrder:
    key: InvoiceSortKey = InvoiceSortKey.ISSUED
    descending: bool = True

    @property
    def is_newest_first(self) -> bool:
        return self == NEWEST_FIRST_ORDER


NEWEST_FIRST_ORDER = InvoiceOrder()

# The SQL of each sort key's values on the page query (`i` the invoice, `c` its client), the
# invoice id after them. A draft has no number yet: it sorts as the empty text.
SORT_COLUMNS: dict[InvoiceSortKey, tuple[str, ...]] = {
    InvoiceSortKey.NUMBER: ("COALESCE(i.number, '')",),
    InvoiceSortKey.CLIENT: ("c.name", "i.client_id"),
    InvoiceSortKey.ISSUED: ("i.issued_on",),
    InvoiceSortKey.DUE: ("i.due_on",),
    InvoiceSortKey.TOTAL: ("i.total_cents",),
    InvoiceSortKey.BALANCE: ("i.balance_cents",),
}


SortValue = str | int | date


@dataclass(frozen=True, slots=True)
class ListPosition:
    """Where a page ends in its order: the last invoice's sort values, then its id."""

    values: tuple[SortValue, ...]
    id: int
    order: InvoiceOrder = field(default=NEWEST_FIRST_ORDER)


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
    """The tenant's invoices the filter lets through, unordered (the conditions of
    `_newest._where`, through the query builder)."""
    queryset = Invoice.filter(tenant_id=tenant_id)
    if list_filter.statuses:
        queryset = queryset.filter(status__in=list(list_filter.statuses))
    bounds = {
        "client_id": list_filter.client_id,
        "run_id": list_filter.run_id,
        "issued_on__gte": list_filter.issued_from,
        "issued_on__lte": list_filter.issued_to,
        "due_on__gte": list_filter.due_from,
        "due_on__lte": list_filter.due_to,
        "total_cents__gte": list_filter.total_min_cents,
        "total_cents__lte": list_filter.total_max_cents,
    }
    given = {name: value for name, value in bounds.items() if value is not None}
    if given:
        queryset = queryset.filter(**given)
    if list_filter.overdue_on is not None:
        queryset = queryset.filter(
            status__in=list(OWED_STATUSES), balance_cents__gt=0, due_on__lt=list_filter.overdue_on
        )
    search = search_term(list_filter.search)
    if search is not None:
        queryset = queryset.filter(invoice_search(tenant_id, search))
    return queryset


def after_position(position: ListPosition) -> Q:
    """Invoices that come after `position` in the newest-first order."""
    [issued_on] = position.values
    return Q(issued_on__lt=issued_on) | Q(issued_on=issued_on, id__lt=position.id)


def position_of(
    invoice: Invoice, order: InvoiceOrder = NEWEST_FIRST_ORDER, client: Client | None = None
) -> ListPosition:
    """The invoice's place in `order` (its client's name needed for the client order)."""
    values: tuple[SortValue, ...]
    match order.key:
        case InvoiceSortKey.NUMBER:
            values = (invoice.number or "",)
        case InvoiceSortKey.CLIENT:
            if client is None:
                raise ValueError("the client order needs the invoice's client")
            values = (client.name, invoice.client_id)
        case InvoiceSortKey.ISSUED:
            values = (invoice.issued_on,)
        case InvoiceSortKey.DUE:
            values = (invoice.due_on,)
        case InvoiceSortKey.TOTAL:
            values = (invoice.total_cents,)
        case InvoiceSortKey.BALANCE:
            values = (invoice.balance_cents,)
    return ListPosition(values=values, id=invoice.id, order=order)


async def invoice_page(
    tenant_id: int,
    list_filter: InvoiceListFilter,
    *,
    first: int,
    after: ListPosition | None = None,
    order: InvoiceOrder = NEWEST_FIRST_ORDER,
) -> InvoicePage:
    """Up to `first` invoices and their clients in `order` (newest issue date first, then
    highest id first, by default), starting after `after`; with whether more follow and how many
    the filter lets through in all."""
    if after is not None and after.order != order:
        raise ValueError("the position belongs to another order")
    total_count = await count_matching(tenant_id, list_filter)
    # One row more than asked tells whether another page follows.
    spec = _page_spec(tenant_id, list_filter, after, first + 1, order)
    search = search_term(list_filter.search)
    if search is not None and order.is_newest_first:
        rows = await _searched_page(spec, list_filter, search, total_count, after)
    else:
        rows = await sorted_invoices(spec, search)
    return InvoicePage(
        invoices=[invoice for invoice, _ in rows[:first]],
        has_next_page=len(rows) > first,
        total_count=total_count,
        clients={client.id: client for _, client in rows[:first]},
    )


def _page_spec(
    tenant_id: int,
    list_filter: InvoiceListFilter,
    after: ListPosition | None,
    limit: int,
    order: InvoiceOrder = NEWEST_FIRST_ORDER,
) -> PageSpec:
    return PageSpec(
        tenant_id=tenant_id,
        statuses=tuple(list_filter.statuses or ()),
        client_id=list_filter.client_id,
        run_id=list_filter.run_id,
        issued_from=list_filter.issued_from,
        issued_to=list_filter.issued_to,
        due_from=list_filter.due_from,
        due_to=list_filter.due_to,
        overdue_on=list_filter.overdue_on,
        total_min_cents=list_filter.total_min_cents,
        total_max_cents=list_filter.total_max_cents,
        sort_columns=SORT_COLUMNS[order.key],
        descending=order.descending,
        after=(*after.values, after.id) if after else None,
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
    if list_filter.by_status_only:
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
