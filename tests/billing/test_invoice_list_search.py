"""A search many invoices match looks through the newest invoices first: its pages are the
same as those of a search through every match, whether the newest hold the page or not."""

from datetime import date

import pytest

import billing.invoices.listing as invoice_queries
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.listing import InvoiceListFilter, InvoicePage, invoice_page, position_of
from orm.models import Tenant
from tests.support.builders import make_invoice
from tests.support.factories import make_client, make_tenant

pytestmark = pytest.mark.asyncio


async def tenant_with_history() -> Tenant:
    """Smiths and others, invoices over several months, Smiths' in every second one only."""
    tenant = await make_tenant()
    smiths = [await make_client(tenant, f"s-{n}", name=f"Ann Smith {n}") for n in range(3)]
    others = [await make_client(tenant, f"o-{n}", name=f"Bo Jones {n}") for n in range(3)]
    number = 0
    for month in range(1, 9):
        for client in (smiths if month % 2 else []) + others:
            number += 1
            await make_invoice(client, f"INV-{number:04d}", issued_on=date(2026, month, 1))
    return tenant


async def all_pages(tenant: Tenant, list_filter: InvoiceListFilter) -> list[InvoicePage]:
    pages = [await invoice_page(tenant.id, list_filter, first=4)]
    while pages[-1].has_next_page:
        after = position_of(pages[-1].invoices[-1])
        pages.append(await invoice_page(tenant.id, list_filter, first=4, after=after))
    return pages


def shown(pages: list[InvoicePage]) -> list[tuple[list[int], list[str], bool, int]]:
    return [
        (
            [invoice.id for invoice in page.invoices],
            [page.clients[invoice.client_id].name for invoice in page.invoices],
            page.has_next_page,
            page.total_count,
        )
        for page in pages
    ]


@pytest.mark.parametrize("window", [3, 6, 1000])
@pytest.mark.parametrize(
    "list_filter",
    [
        InvoiceListFilter(search="smi"),
        InvoiceListFilter(search="INV-00", statuses=[InvoiceStatus.UNPAID]),
        InvoiceListFilter(search="0"),
    ],
)
async def test_pages_from_the_newest_are_the_pages_of_every_match(
    db: str, monkeypatch: pytest.MonkeyPatch, list_filter: InvoiceListFilter, window: int
) -> None:
    tenant = await tenant_with_history()
    monkeypatch.setattr(invoice_queries, "FREQUENT_MATCHES", 10**9)
    through_every_match = shown(await all_pages(tenant, list_filter))

    monkeypatch.setattr(invoice_queries, "FREQUENT_MATCHES", 1)
    monkeypatch.setattr(invoice_queries, "RECENT_WINDOW", window)
    from_the_newest = shown(await all_pages(tenant, list_filter))

    assert from_the_newest == through_every_match
    assert sum(len(ids) for ids, *_ in through_every_match) == through_every_match[0][3] > 4
