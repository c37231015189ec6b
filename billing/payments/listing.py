"""The payments list: a tenant's payments, newest day received first (then highest id), of one
client or matching a search of the reference or the client's name, in keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.expressions import Q

from billing.invoices.listing import LowerLike, clients_matching, contains_pattern, search_term
from orm.dialect import InSubquery
from orm.models import Client, Payment

NEWEST_FIRST = ("-paid_on", "-id")


@dataclass(frozen=True, slots=True)
class PaymentListFilter:
    """What the list shows; None leaves a filter off."""

    client_id: int | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentPosition:
    """Where a page ends in the newest-first order: the last payment's day received and id."""

    received_on: date
    id: int


@dataclass(frozen=True, slots=True)
class PaymentPage:
    payments: list[Payment]
    has_next_page: bool
    total_count: int
    # The page's payments' clients by id.
    clients: dict[int, Client]


def position_of(payment: Payment) -> PaymentPosition:
    return PaymentPosition(received_on=payment.paid_on, id=payment.id)


def payment_search(tenant_id: int, search: str) -> Q:
    """Reference or client name contains `search`, case-insensitively."""
    return Q(
        LowerLike("reference", contains_pattern(search)),
        InSubquery("client_id", clients_matching(tenant_id, search).values("id")),
        join_type=Q.OR,
    )


async def payment_page(
    tenant_id: int,
    list_filter: PaymentListFilter,
    *,
    first: int,
    after: PaymentPosition | None = None,
) -> PaymentPage:
    """Up to `first` payments after the position, newest first, with the count of all that
    match and their clients."""
    matching = Payment.filter(tenant_id=tenant_id)
    if list_filter.client_id is not None:
        matching = matching.filter(client_id=list_filter.client_id)
    search = search_term(list_filter.search)
    if search is not None:
        matching = matching.filter(payment_search(tenant_id, search))
    total_count = await matching.count()
    page = matching
    if after is not None:
        page = page.filter(
            Q(paid_on__lt=after.received_on) | Q(paid_on=after.received_on, id__lt=after.id)
        )
    rows = await page.order_by(*NEWEST_FIRST).limit(first + 1)
    payments = rows[:first]
    client_ids = {payment.client_id for payment in payments}
    clients = await Client.filter(tenant_id=tenant_id, id__in=client_ids) if client_ids else []
    return PaymentPage(
        payments=payments,
        has_next_page=len(rows) > first,
        total_count=total_count,
        clients={client.id: client for client in clients},
    )
