"""The invoice list's filters and sort orders: each filter keeps exactly the invoices it names,
and each order, ascending and descending, pages through every match once, in order, with the
invoice id breaking ties, whether a search is given or not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pytest

from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.listing import (
    InvoiceListFilter,
    InvoiceOrder,
    InvoiceSortKey,
    invoice_page,
    position_of,
)
from orm.models import Client, Invoice, InvoiceRun, Tenant
from tests.support.builders import make_invoice, make_run
from tests.support.factories import make_client, make_tenant

pytestmark = pytest.mark.asyncio

TODAY = date(2026, 11, 20)


@dataclass
class Book:
    tenant: Tenant
    clients: dict[str, Client]
    invoices: list[Invoice]
    run: InvoiceRun


async def book_with_ties() -> Book:
    """Invoices sharing issue dates, due dates, totals, balances and client names, a draft
    without a number, paid, void and overdue ones, one made by a run."""
    tenant = await make_tenant()
    clients = {
        "alder": await make_client(tenant, "alder", name="Alder"),
        "birch-1": await make_client(tenant, "birch-1", name="Birch"),
        "birch-2": await make_client(tenant, "birch-2", name="Birch"),
        "cedar": await make_client(tenant, "cedar", name="Cedar"),
    }
    run = await make_run(tenant, billing_date=date(2026, 10, 1))
    rows = [
        # client, number, status, issued, due, total, balance
        (
            "cedar",
            "INV-0003",
            InvoiceStatus.UNPAID,
            date(2026, 9, 1),
            date(2026, 9, 15),
            "50.00",
            None,
        ),
        (
            "birch-2",
            "INV-0001",
            InvoiceStatus.PAID,
            date(2026, 10, 1),
            date(2026, 10, 15),
            "50.00",
            None,
        ),
        (
            "alder",
            "INV-0007",
            InvoiceStatus.PARTIAL,
            date(2026, 10, 1),
            date(2026, 11, 19),
            "120.00",
            "20.00",
        ),
        (
            "birch-1",
            None,
            InvoiceStatus.DRAFT,
            date(2026, 11, 1),
            date(2026, 11, 15),
            "75.50",
            None,
        ),
        (
            "birch-1",
            "INV-0002",
            InvoiceStatus.VOID,
            date(2026, 10, 1),
            date(2026, 10, 15),
            "75.50",
            None,
        ),
        (
            "alder",
            "INV-0005",
            InvoiceStatus.UNPAID,
            date(2026, 11, 1),
            date(2026, 11, 20),
            "10.00",
            None,
        ),
        (
            "birch-2",
            "INV-0004",
            InvoiceStatus.UNPAID,
            date(2026, 11, 1),
            date(2026, 11, 15),
            "999.99",
            None,
        ),
        (
            "cedar",
            "INV-0006",
            InvoiceStatus.PAID,
            date(2026, 9, 1),
            date(2026, 9, 15),
            "120.00",
            None,
        ),
    ]
    invoices = []
    for key, number, status, issued, due, total, balance in rows:
        invoice = await make_invoice(
            clients[key],
            number,
            status=status,
            issued_on=issued,
            due_on=due,
            total=total,
            balance=balance,
            run=run if number == "INV-0004" else None,
        )
        invoices.append(invoice)
    return Book(tenant, clients, invoices, run)


def sort_value(order: InvoiceOrder, invoice: Invoice, names: dict[int, str]) -> tuple:
    values = {
        InvoiceSortKey.NUMBER: (invoice.number or "",),
        InvoiceSortKey.CLIENT: (names[invoice.client_id], invoice.client_id),
        InvoiceSortKey.ISSUED: (invoice.issued_on,),
        InvoiceSortKey.DUE: (invoice.due_on,),
        InvoiceSortKey.TOTAL: (invoice.total_cents,),
        InvoiceSortKey.BALANCE: (invoice.balance_cents,),
    }[order.key]
    return (*values, invoice.id)


def expected_ids(book: Book, order: InvoiceOrder, keep: Callable[[Invoice], bool]) -> list[int]:
    names = {client.id: client.name for client in book.clients.values()}
    chosen = [invoice for invoice in book.invoices if keep(invoice)]
    chosen.sort(key=lambda invoice: sort_value(order, invoice, names), reverse=order.descending)
    return [invoice.id for invoice in chosen]


async def paged_ids(
    book: Book, list_filter: InvoiceListFilter, order: InvoiceOrder, first: int = 3
) -> tuple[list[int], int]:
    """Every page in turn, each after the last one's final invoice: the ids and the count."""
    ids: list[int] = []
    after = None
    while True:
        page = await invoice_page(
            book.tenant.id, list_filter, first=first, after=after, order=order
        )
        ids += [invoice.id for invoice in page.invoices]
        assert len(page.invoices) <= first
        if not page.has_next_page:
            return ids, page.total_count
        last = page.invoices[-1]
        after = position_of(last, order, page.clients[last.client_id])


ORDERS = [InvoiceOrder(key, descending) for key in InvoiceSortKey for descending in (False, True)]


@pytest.mark.parametrize(
    "order", ORDERS, ids=lambda o: f"{o.key}-{'desc' if o.descending else 'asc'}"
)
async def test_each_order_pages_through_every_invoice_once_in_order(
    db: str, order: InvoiceOrder
) -> None:
    book = await book_with_ties()
    ids, total = await paged_ids(book, InvoiceListFilter(), order)
    assert ids == expected_ids(book, order, lambda invoice: True)
    assert total == len(book.invoices)


@pytest.mark.parametrize(
    "order", ORDERS, ids=lambda o: f"{o.key}-{'desc' if o.descending else 'asc'}"
)
async def test_each_order_pages_through_a_search(db: str, order: InvoiceOrder) -> None:
    book = await book_with_ties()
    birches = {book.clients["birch-1"].id, book.clients["birch-2"].id}
    ids, total = await paged_ids(book, InvoiceListFilter(search="birch"), order, first=2)
    assert ids == expected_ids(book, order, lambda invoice: invoice.client_id in birches)
    assert total == 4


async def test_the_client_order_sorts_by_name_then_client_then_invoice(db: str) -> None:
    book = await book_with_ties()
    order = InvoiceOrder(InvoiceSortKey.CLIENT, descending=False)
    ids, _ = await paged_ids(book, InvoiceListFilter(), order, first=50)
    by_id = {invoice.id: invoice for invoice in book.invoices}
    owners = [by_id[invoice_id].client_id for invoice_id in ids]
    alder, birch_1, birch_2, cedar = (client.id for client in book.clients.values())
    assert owners == [alder, alder, birch_1, birch_1, birch_2, birch_2, cedar, cedar]


def filters(book: Book) -> list[tuple[str, InvoiceListFilter, Callable[[Invoice], bool]]]:
    alder = book.clients["alder"].id
    return [
        (
            "statuses",
            InvoiceListFilter(statuses=[InvoiceStatus.PAID, InvoiceStatus.VOID]),
            lambda i: i.status in (InvoiceStatus.PAID, InvoiceStatus.VOID),
        ),
        (
            "issued range",
            InvoiceListFilter(issued_from=date(2026, 10, 1), issued_to=date(2026, 10, 31)),
            lambda i: date(2026, 10, 1) <= i.issued_on <= date(2026, 10, 31),
        ),
        (
            "issued from",
            InvoiceListFilter(issued_from=date(2026, 11, 1)),
            lambda i: i.issued_on >= date(2026, 11, 1),
        ),
        (
            "due range",
            InvoiceListFilter(due_from=date(2026, 11, 15), due_to=date(2026, 11, 19)),
            lambda i: date(2026, 11, 15) <= i.due_on <= date(2026, 11, 19),
        ),
        (
            "due to",
            InvoiceListFilter(due_to=date(2026, 9, 15)),
            lambda i: i.due_on <= date(2026, 9, 15),
        ),
        (
            "overdue only",
            InvoiceListFilter(overdue_on=TODAY),
            lambda i: (
                i.status in (InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL)
                and i.balance_cents > 0
                and i.due_on < TODAY
            ),
        ),
        ("client", InvoiceListFilter(client_id=alder), lambda i: i.client_id == alder),
        ("run", InvoiceListFilter(run_id=book.run.id), lambda i: i.run_id == book.run.id),
        (
            "amount range",
            InvoiceListFilter(total_min_cents=5000, total_max_cents=12000),
            lambda i: 5000 <= i.total_cents <= 12000,
        ),
        (
            "amount at least",
            InvoiceListFilter(total_min_cents=7550),
            lambda i: i.total_cents >= 7550,
        ),
        (
            "together",
            InvoiceListFilter(
                statuses=[InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL],
                total_max_cents=12000,
                issued_to=date(2026, 10, 31),
            ),
            lambda i: (
                i.status in (InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL)
                and i.total_cents <= 12000
                and i.issued_on <= date(2026, 10, 31)
            ),
        ),
    ]


FILTER_NAMES = [
    "statuses",
    "issued range",
    "issued from",
    "due range",
    "due to",
    "overdue only",
    "client",
    "run",
    "amount range",
    "amount at least",
    "together",
]


@pytest.mark.parametrize("name", FILTER_NAMES)
@pytest.mark.parametrize(
    "order",
    [InvoiceOrder(), InvoiceOrder(InvoiceSortKey.TOTAL, descending=False)],
    ids=["newest-first", "total-asc"],
)
async def test_each_filter_keeps_exactly_its_invoices(
    db: str, name: str, order: InvoiceOrder
) -> None:
    book = await book_with_ties()
    [(_, list_filter, keep)] = [entry for entry in filters(book) if entry[0] == name]
    expected = expected_ids(book, order, keep)
    assert expected, "the book holds invoices for every filter"
    assert len(expected) < len(book.invoices), "and the filter leaves some out"

    ids, total = await paged_ids(book, list_filter, order, first=2)
    assert ids == expected
    assert total == len(expected)


@pytest.mark.parametrize("name", FILTER_NAMES)
async def test_each_filter_applies_to_a_search(db: str, name: str) -> None:
    """The newest-first search reads through the query builder: the same filters apply."""
    book = await book_with_ties()
    [(_, list_filter, keep)] = [entry for entry in filters(book) if entry[0] == name]
    numbered = replace(list_filter, search="INV-")
    expected = expected_ids(book, InvoiceOrder(), lambda i: keep(i) and i.number is not None)
    ids, total = await paged_ids(book, numbered, InvoiceOrder(), first=2)
    assert ids == expected
    assert total == len(expected)


async def test_a_position_of_another_order_is_refused(db: str) -> None:
    book = await book_with_ties()
    position = position_of(book.invoices[0])
    with pytest.raises(ValueError):
        await invoice_page(
            book.tenant.id,
            InvoiceListFilter(),
            first=2,
            after=position,
            order=InvoiceOrder(InvoiceSortKey.DUE),
        )
