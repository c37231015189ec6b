"""The invoice list's `sort` argument and its filters through the API: each order pages through
every invoice once, a cursor is valid under its own order only, filters refuse ranges that end
before they start, and each invoice tells how many days it is overdue."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any

import pytest

from billing.dates import today_in
from billing.invoices.lifecycle import InvoiceStatus
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.builders import make_client, make_invoice

LIST = """query($filter: InvoiceFilter, $first: Int!, $after: String, $sort: InvoiceSort) {
  invoices(filter: $filter, first: $first, after: $after, sort: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { number total balance dueOn overdue daysOverdue pastGrace client { name } } }
  }
}"""

FIELDS = ["NUMBER", "CLIENT", "ISSUED", "DUE", "TOTAL", "BALANCE"]


async def every_page(
    graphql: GraphQLClient, team: Team, sort: dict | None, filter: dict | None = None
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"first": 2, "after": after, "sort": sort, "filter": filter}
        connection = (await graphql.data(LIST, variables, user=team.viewer))["invoices"]
        nodes += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def five_invoices(team: Team) -> None:
    other = await make_client(team.tenant, "zed", name="Zed Networks")
    rows = [
        (team.client, "INV-0004", date(2026, 10, 1), "30.00"),
        (other, "INV-0001", date(2026, 11, 1), "30.00"),
        (team.client, "INV-0003", date(2026, 9, 1), "250.00"),
        (other, "INV-0005", date(2026, 9, 1), "5.25"),
        (team.client, "INV-0002", date(2026, 11, 1), "99.99"),
    ]
    for client, number, issued, total in rows:
        await make_invoice(client, number, issued_on=issued, total=total)


@pytest.mark.asyncio
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_each_sort_pages_through_every_invoice_in_its_order(
    graphql: GraphQLClient, acme: Team, field: str, direction: str
) -> None:
    await five_invoices(acme)
    nodes = await every_page(graphql, acme, {"field": field, "direction": direction})
    assert sorted(node["number"] for node in nodes) == [f"INV-000{n}" for n in range(1, 6)]
    key = {
        "NUMBER": lambda node: node["number"],
        "CLIENT": lambda node: node["client"]["name"],
        "ISSUED": lambda node: None,
        "DUE": lambda node: node["dueOn"],
        "TOTAL": lambda node: float(node["total"]),
        "BALANCE": lambda node: float(node["balance"]),
    }[field]
    values = [key(node) for node in nodes]
    if field != "ISSUED":
        assert values == sorted(values, reverse=direction == "DESC")


@pytest.mark.asyncio
async def test_totals_sort_as_amounts_not_as_text(graphql: GraphQLClient, acme: Team) -> None:
    await five_invoices(acme)
    nodes = await every_page(graphql, acme, {"field": "TOTAL", "direction": "DESC"})
    assert [node["total"] for node in nodes] == ["250.00", "99.99", "30.00", "30.00", "5.25"]


@pytest.mark.asyncio
async def test_a_cursor_of_another_order_is_invalid_input(
    graphql: GraphQLClient, acme: Team
) -> None:
    await five_invoices(acme)
    first = await graphql.data(
        LIST, {"first": 2, "sort": {"field": "TOTAL", "direction": "ASC"}}, user=acme.viewer
    )
    cursor = first["invoices"]["pageInfo"]["endCursor"]
    for sort in ({"field": "TOTAL", "direction": "DESC"}, {"field": "DUE"}, None):
        body = await graphql.execute(
            LIST, {"first": 2, "after": cursor, "sort": sort}, user=acme.viewer
        )
        assert error_codes(body) == ["INVALID_INPUT"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "payload",
    [
        b'invoice-sorted:["total", false, ["x"], 5]',
        b'invoice-sorted:["total", false, [3], 0]',
        b"invoice-sorted:not json",
        b'invoice-sorted:["client", false, ["Acme"], 5]',
    ],
)
async def test_a_forged_sorted_cursor_is_invalid_input(
    graphql: GraphQLClient, acme: Team, payload: bytes
) -> None:
    sort = {"field": payload.split(b'"')[1].decode().upper() if b'"' in payload else "TOTAL"}
    cursor = base64.urlsafe_b64encode(payload).decode()
    body = await graphql.execute(
        LIST, {"first": 2, "after": cursor, "sort": sort}, user=acme.viewer
    )
    assert error_codes(body) == ["INVALID_INPUT"]


@pytest.mark.asyncio
async def test_filters_combine_through_the_api(graphql: GraphQLClient, acme: Team) -> None:
    await five_invoices(acme)
    filter = {
        "issuedFrom": "2026-09-01",
        "issuedTo": "2026-10-31",
        "totalMin": "5.25",
        "totalMax": "30",
        "clientId": str(acme.client.id),
    }
    nodes = await every_page(graphql, acme, None, filter)
    assert [node["number"] for node in nodes] == ["INV-0004"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("filter", "field"),
    [
        ({"issuedFrom": "2026-11-02", "issuedTo": "2026-11-01"}, "issuedTo"),
        ({"dueFrom": "2026-11-02", "dueTo": "2026-11-01"}, "dueTo"),
        ({"totalMin": "10", "totalMax": "9.99"}, "totalMax"),
        ({"totalMin": "10.001"}, "totalMin"),
    ],
)
async def test_a_range_ending_before_it_starts_or_a_fraction_of_a_cent_is_refused(
    graphql: GraphQLClient, acme: Team, filter: dict, field: str
) -> None:
    body = await graphql.execute(LIST, {"first": 5, "filter": filter}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]
    assert field in body["errors"][0]["message"]


@pytest.mark.asyncio
async def test_days_overdue_and_past_grace_follow_the_tenants_today(
    graphql: GraphQLClient, acme: Team
) -> None:
    today = today_in(acme.tenant.timezone)
    await make_invoice(acme.client, "LATE", due_on=today - timedelta(days=10))
    await make_invoice(acme.client, "JUST", due_on=today - timedelta(days=1))
    await make_invoice(acme.client, "NOT-YET", due_on=today)
    await make_invoice(
        acme.client, "PAID", status=InvoiceStatus.PAID, due_on=today - timedelta(days=40)
    )
    await make_invoice(
        acme.client, "DRAFT", status=InvoiceStatus.DRAFT, due_on=today - timedelta(days=40)
    )
    nodes = await every_page(graphql, acme, {"field": "NUMBER"})
    found = {
        node["number"]: (node["overdue"], node["daysOverdue"], node["pastGrace"]) for node in nodes
    }
    # make_invoice gives seven days of grace after the due date.
    assert found == {
        "DRAFT": (False, 0, False),
        "JUST": (True, 1, False),
        "LATE": (True, 10, True),
        "NOT-YET": (False, 0, False),
        "PAID": (False, 0, False),
    }
    overdue = await every_page(graphql, acme, {"field": "DUE"}, {"overdueOnly": True})
    assert [node["number"] for node in overdue] == ["LATE", "JUST"]
