"""The cost limit (GitHub's node model) and the time limit on queries."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, OperationType, parse
from graphql.execution.values import get_variable_values

import graph.queries
from dashboard.api import MAX_PAGE_SIZE
from graph.cost import DEFAULT_MAX_QUERY_COST, operation_cost
from graph.schema import schema
from ispbox.config import Settings
from tests.graph.conftest import GraphQLClient, Team, api_client, error_codes

# Cost and time limits act before or around the database: one backend is enough.
pytestmark = pytest.mark.sqlite_only

NESTED_PAGES = """{ invoices(first: 200) { edges { node { id
  run { invoices(first: 200) { edges { node { lines { id } allocations { id } } } } }
} } } }"""


def cost_of(document: str, **variables: object) -> int:
    [operation] = parse(document).definitions
    coerced = get_variable_values(
        schema._schema, operation.variable_definitions or [], dict(variables)
    )
    return operation_cost(schema._schema, operation, {}, coerced)


def test_each_list_costs_its_first_times_its_parents() -> None:
    # 200 invoices, 200 runs' pages of 200, each of those invoices with 20 lines and 10 allocations.
    assert cost_of(NESTED_PAGES) == 200 + 200 * 200 + 200 * 200 * (20 + 10)


def test_an_argument_s_default_and_a_variable_count_as_given() -> None:
    assert cost_of("{ invoices { totalCount } }") == 50
    assert cost_of("query($n: Int!) { invoiceRuns(first: $n) { edges { node { id } } } }", n=7) == 7


def test_fragments_count_where_they_are_spread() -> None:
    document = """query { invoices(first: 10) { edges { node { ...Lines } } } }
    fragment Lines on Invoice { lines { id } }"""
    parsed = parse(document)
    operation, fragment = parsed.definitions
    from graphql.execution.values import get_variable_values

    coerced = get_variable_values(schema._schema, [], {})
    assert operation_cost(schema._schema, operation, {"Lines": fragment}, coerced) == 10 + 10 * 20


@pytest.mark.asyncio
async def test_a_costly_query_is_refused_before_it_runs(graphql: GraphQLClient, acme: Team) -> None:
    body = await graphql.execute(NESTED_PAGES, user=acme.viewer)
    assert body.get("data") is None
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]
    message = body["errors"][0]["message"]
    assert f"{cost_of(NESTED_PAGES):,}" in message
    assert f"{DEFAULT_MAX_QUERY_COST:,}" in message


DASHBOARD_QUERIES = Path(__file__).resolve().parents[2] / "dashboard" / "queries"
# A value for each kind of variable the dashboard's queries take; every `Int` is a page size,
# asked at the largest the dashboard asks.
SAMPLE_VALUES = {"Int": MAX_PAGE_SIZE, "ID": "1", "Date": "2026-11-01", "String": "x"}


def dashboard_queries() -> list[OperationDefinitionNode]:
    return [
        definition
        for path in sorted(DASHBOARD_QUERIES.glob("*.graphql"))
        for definition in parse(path.read_text()).definitions
        if isinstance(definition, OperationDefinitionNode)
        and definition.operation is OperationType.QUERY
    ]


def dashboard_fragments() -> dict[str, FragmentDefinitionNode]:
    document = parse((DASHBOARD_QUERIES / "fragments.graphql").read_text())
    return {fragment.name.value: fragment for fragment in document.definitions}


@pytest.mark.parametrize("operation", dashboard_queries(), ids=lambda op: op.name.value)
def test_each_query_the_dashboard_sends_passes_at_its_largest_page(
    operation: OperationDefinitionNode,
) -> None:
    samples = {
        definition.variable.name.value: SAMPLE_VALUES[definition.type.type.name.value]
        for definition in operation.variable_definitions or ()
        if definition.type.kind == "non_null_type"
    }
    variables = get_variable_values(schema._schema, operation.variable_definitions or (), samples)

    cost = operation_cost(schema._schema, operation, dashboard_fragments(), variables)

    assert cost <= DEFAULT_MAX_QUERY_COST


@pytest.mark.asyncio
async def test_the_limit_is_a_setting(db: str, acme: Team) -> None:
    from tests.graph.conftest import make_settings

    async with api_client(make_settings(db, max_query_cost=49)) as http:
        client = GraphQLClient(http)
        refused = await client.execute("{ invoices { totalCount } }", user=acme.viewer)
        allowed = await client.execute("{ invoices(first: 49) { totalCount } }", user=acme.viewer)
    assert error_codes(refused) == ["QUERY_TOO_COSTLY"]
    assert allowed["data"]["invoices"]["totalCount"] == 0


async def slow_kpis(tenant_id: int) -> None:
    await asyncio.sleep(5)


@pytest.mark.asyncio
async def test_a_query_running_past_the_time_limit_is_stopped(
    db: str, acme: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.graph.conftest import make_settings

    monkeypatch.setattr(graph.queries, "invoice_kpis", slow_kpis)
    settings: Settings = make_settings(db, query_timeout_seconds=0.2)
    async with api_client(settings) as http:
        body = await GraphQLClient(http).execute(
            "{ invoiceKpis { totalInvoices } }", user=acme.viewer
        )
    assert body.get("data") is None
    assert error_codes(body) == ["QUERY_TIMEOUT"]
    assert "longer than 0.2 s" in body["errors"][0]["message"]


@pytest.mark.asyncio
async def test_a_mutation_is_never_cut_by_the_time_limit(
    db: str, acme: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing.invoices import void
    from billing.invoices.lifecycle import InvoiceStatus
    from orm.models import Invoice
    from tests.graph.conftest import make_settings
    from tests.support.builders import make_invoice

    invoice = await make_invoice(acme.client, "INV-000001")
    void_now = void.void_invoice

    async def slow_void(*args: object, **kwargs: object) -> object:
        await asyncio.sleep(0.5)
        return await void_now(*args, **kwargs)

    monkeypatch.setattr(void, "void_invoice", slow_void)
    async with api_client(make_settings(db, query_timeout_seconds=0.1)) as http:
        body = await GraphQLClient(http).execute(
            "mutation($id: ID!) { voidInvoice(input: {id: $id}) { errors { message } } }",
            {"id": str(invoice.id)},
            user=acme.editor,
        )
    assert body["data"]["voidInvoice"]["errors"] == []
    assert (await Invoice.get(id=invoice.id)).status == InvoiceStatus.VOID
