"""The invoice list: order, keyset pages, totalCount, filters, live search, tenant isolation."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from billing.invoices.lifecycle import InvoiceStatus
from billing.runs.lifecycle import RunStatus
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.builders import make_client, make_invoice, make_run

LIST = """query($filter: InvoiceFilter, $first: Int!, $after: String) {
  invoices(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id number issuedOn } }
  }
}"""


async def numbers(
    graphql: GraphQLClient, team: Team, filter: dict | None = None, first: int = 50
) -> list[str]:
    data = await graphql.data(LIST, {"filter": filter, "first": first}, user=team.viewer)
    return [edge["node"]["number"] for edge in data["invoices"]["edges"]]


@pytest.mark.asyncio
async def test_newest_issue_date_first_then_highest_id_first(
    graphql: GraphQLClient, acme: Team
) -> None:
    await make_invoice(acme.client, "A", issued_on=date(2026, 10, 1))
    await make_invoice(acme.client, "B", issued_on=date(2026, 11, 1))
    await make_invoice(acme.client, "C", issued_on=date(2026, 10, 1))
    await make_invoice(acme.client, "D", issued_on=date(2026, 9, 1))
    assert await numbers(graphql, acme) == ["B", "C", "A", "D"]


@pytest.mark.asyncio
async def test_pages_follow_each_other_without_gaps_or_repeats(
    graphql: GraphQLClient, acme: Team
) -> None:
    for n, day in enumerate((1, 2, 2, 3, 3, 3, 4)):
        await make_invoice(acme.client, f"N-{n}", issued_on=date(2026, 11, day))
    everything = await numbers(graphql, acme)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await graphql.data(LIST, {"first": 3, "after": after}, user=acme.viewer)
        connection = data["invoices"]
        assert connection["totalCount"] == 7
        seen += [edge["node"]["number"] for edge in connection["edges"]]
        pages += 1
        if connection["edges"]:
            assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == everything


@pytest.mark.asyncio
async def test_an_empty_list_has_no_end_cursor(graphql: GraphQLClient, acme: Team) -> None:
    data = await graphql.data(LIST, {"first": 10}, user=acme.viewer)
    assert data["invoices"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("first", [0, -1, 201, 10_000])
async def test_first_outside_1_to_200_is_invalid_input(
    graphql: GraphQLClient, acme: Team, first: int
) -> None:
    body = await graphql.execute(LIST, {"first": first}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "200" in body["errors"][0]["message"]


@pytest.mark.asyncio
async def test_first_200_is_allowed(graphql: GraphQLClient, acme: Team) -> None:
    await graphql.data(LIST, {"first": 200}, user=acme.viewer)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "",
        base64.urlsafe_b64encode(b"run:5").decode(),
        base64.urlsafe_b64encode(b"invoice:2026-13-01:5").decode(),
        base64.urlsafe_b64encode(b"invoice:2026-11-01:x").decode(),
        base64.urlsafe_b64encode(b"invoice:2026-11-01").decode(),
        base64.urlsafe_b64encode("invoice:2026-11-01:٣".encode()).decode(),
    ],
)
async def test_a_malformed_cursor_is_invalid_input(
    graphql: GraphQLClient, acme: Team, cursor: str
) -> None:
    body = await graphql.execute(LIST, {"first": 5, "after": cursor}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]


@pytest.mark.asyncio
async def test_filter_by_statuses(graphql: GraphQLClient, acme: Team) -> None:
    await make_invoice(acme.client, "U", status=InvoiceStatus.UNPAID)
    await make_invoice(acme.client, "P", status=InvoiceStatus.PAID)
    await make_invoice(acme.client, "V", status=InvoiceStatus.VOID)
    assert await numbers(graphql, acme, {"statuses": ["PAID", "VOID"]}) == ["V", "P"]
    assert await numbers(graphql, acme, {"statuses": []}) == ["V", "P", "U"]


@pytest.mark.asyncio
async def test_filter_by_client(graphql: GraphQLClient, acme: Team, globex: Team) -> None:
    other = await make_client(acme.tenant, "other", name="Other Co")
    await make_invoice(acme.client, "MINE")
    await make_invoice(other, "OTHER")
    assert await numbers(graphql, acme, {"clientId": str(other.id)}) == ["OTHER"]
    assert await numbers(graphql, acme, {"clientId": str(globex.client.id)}) == []
    assert await numbers(graphql, acme, {"clientId": "not-an-id"}) == []


@pytest.mark.asyncio
async def test_filter_by_run(graphql: GraphQLClient, acme: Team) -> None:
    run = await make_run(acme.tenant, status=RunStatus.COMPLETED)
    await make_invoice(acme.client, "FROM-RUN", run=run)
    await make_invoice(acme.client, "IMPORTED")
    assert await numbers(graphql, acme, {"runId": str(run.id)}) == ["FROM-RUN"]


@pytest.mark.asyncio
async def test_search_matches_the_number_case_insensitively(
    graphql: GraphQLClient, acme: Team
) -> None:
    await make_invoice(acme.client, "INV-2026-0042")
    await make_invoice(acme.client, "INV-2026-0043")
    assert await numbers(graphql, acme, {"search": "inv-2026-0042"}) == ["INV-2026-0042"]
    assert await numbers(graphql, acme, {"search": "  0043 "}) == ["INV-2026-0043"]


@pytest.mark.asyncio
async def test_search_matches_the_client_name_case_insensitively(
    graphql: GraphQLClient, acme: Team
) -> None:
    river = await make_client(acme.tenant, "river", name="Riverside Apartments")
    await make_invoice(river, "R-1")
    await make_invoice(acme.client, "A-1")
    assert await numbers(graphql, acme, {"search": "SIDE apa"}) == ["R-1"]


@pytest.mark.asyncio
async def test_search_takes_percent_and_underscore_literally(
    graphql: GraphQLClient, acme: Team
) -> None:
    percent = await make_client(acme.tenant, "pct", name="Save 50% Networks")
    plain = await make_client(acme.tenant, "plain", name="Save 500 Networks")
    await make_invoice(percent, "P-1")
    await make_invoice(plain, "P-2")
    await make_invoice(acme.client, "X_1")
    await make_invoice(acme.client, "XY1")
    assert await numbers(graphql, acme, {"search": "50%"}) == ["P-1"]
    assert await numbers(graphql, acme, {"search": "%"}) == ["P-1"]
    assert await numbers(graphql, acme, {"search": "x_1"}) == ["X_1"]
    assert await numbers(graphql, acme, {"search": "\\"}) == []


@pytest.mark.asyncio
async def test_search_counts_and_pages_what_it_matches(graphql: GraphQLClient, acme: Team) -> None:
    for n in range(5):
        await make_invoice(acme.client, f"MATCH-{n}")
    await make_invoice(acme.client, "OTHER")
    data = await graphql.data(LIST, {"filter": {"search": "match"}, "first": 2}, user=acme.viewer)
    assert data["invoices"]["totalCount"] == 5
    assert data["invoices"]["pageInfo"]["hasNextPage"] is True


@pytest.mark.asyncio
async def test_filters_combine(graphql: GraphQLClient, acme: Team) -> None:
    await make_invoice(acme.client, "INV-1", status=InvoiceStatus.PAID)
    await make_invoice(acme.client, "INV-2", status=InvoiceStatus.UNPAID)
    await make_invoice(acme.client, "OLD-3", status=InvoiceStatus.UNPAID)
    found = await numbers(graphql, acme, {"search": "inv", "statuses": ["UNPAID"]})
    assert found == ["INV-2"]


@pytest.mark.asyncio
async def test_another_tenants_invoices_are_never_listed_or_counted(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    await make_invoice(acme.client, "ACME-1")
    await make_invoice(globex.client, "GLOBEX-1")
    data = await graphql.data(LIST, {"first": 50, "filter": {"search": "1"}}, user=acme.viewer)
    assert [e["node"]["number"] for e in data["invoices"]["edges"]] == ["ACME-1"]
    assert data["invoices"]["totalCount"] == 1


@pytest.mark.asyncio
async def test_search_folds_case_beyond_ascii(graphql: GraphQLClient, acme: Team) -> None:
    clinic = await make_client(acme.tenant, "umlaut", name="Ärztehaus Süd")
    await make_invoice(clinic, "ÖL-1")
    await make_invoice(acme.client, "A-1")
    assert await numbers(graphql, acme, {"search": "ärztehaus"}) == ["ÖL-1"]
    assert await numbers(graphql, acme, {"search": "SÜD"}) == ["ÖL-1"]
    assert await numbers(graphql, acme, {"search": "öl-"}) == ["ÖL-1"]
