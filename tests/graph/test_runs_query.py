"""The bulk-run page's reads: the run plan, one run, and the runs newest first."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest

from billing.dates import next_cycle_date, today_in
from billing.runs.lifecycle import RunErrorStage, RunStatus, RunTrigger
from orm.models import RunError
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.builders import make_client, make_invoice, make_run

PLAN = """query($date: Date, $client: ID) {
  invoiceRunPlan(billingDate: $date, clientId: $client) {
    runDate locked dueDate graceDate manualRunAllowed blockedReason review client { id name }
  }
}"""

RUN = """query($id: ID!) { invoiceRun(id: $id) {
  id billingDate status trigger review createdAt startedAt finishedAt
  clientsTotal clientsProcessed invoicesIssued amountIssued notice
  client { id }
  errors { stage message client { id name } }
  invoices(first: 2) { totalCount pageInfo { hasNextPage } edges { node { number } } }
} }"""

RUNS = """query($first: Int!, $after: String) { invoiceRuns(first: $first, after: $after) {
  pageInfo { hasNextPage endCursor } edges { cursor node { id } }
} }"""


@pytest.mark.asyncio
async def test_the_plan_defaults_to_today_with_due_and_grace_dates(
    graphql: GraphQLClient, acme: Team
) -> None:
    today = today_in(acme.tenant.timezone)
    plan = (await graphql.data(PLAN, user=acme.viewer))["invoiceRunPlan"]
    assert plan == {
        "runDate": today.isoformat(),
        "locked": False,
        "dueDate": (today + timedelta(days=14)).isoformat(),
        "graceDate": (today + timedelta(days=21)).isoformat(),
        "manualRunAllowed": True,
        "blockedReason": None,
        "review": False,
        "client": None,
    }


@pytest.mark.asyncio
async def test_the_plan_uses_the_chosen_date_and_client(graphql: GraphQLClient, acme: Team) -> None:
    acme.tenant.review_runs = True
    await acme.tenant.save()
    plan = (
        await graphql.data(
            PLAN, {"date": "2026-12-15", "client": str(acme.client.id)}, user=acme.viewer
        )
    )["invoiceRunPlan"]
    assert (plan["runDate"], plan["dueDate"], plan["graceDate"]) == (
        "2026-12-15",
        "2026-12-29",
        "2027-01-05",
    )
    assert plan["client"] == {"id": str(acme.client.id), "name": "Acme Client"}
    assert plan["review"] is True


@pytest.mark.asyncio
async def test_a_billing_cycle_day_locks_the_date(graphql: GraphQLClient, acme: Team) -> None:
    acme.tenant.billing_cycle_day = 5
    await acme.tenant.save()
    plan = (await graphql.data(PLAN, {"date": "2026-12-15"}, user=acme.viewer))["invoiceRunPlan"]
    assert plan["locked"] is True
    assert plan["runDate"] == next_cycle_date(5, today_in(acme.tenant.timezone)).isoformat()


@pytest.mark.asyncio
async def test_automatic_generation_blocks_manual_runs(graphql: GraphQLClient, acme: Team) -> None:
    acme.tenant.auto_generate = True
    await acme.tenant.save()
    plan = (await graphql.data(PLAN, user=acme.viewer))["invoiceRunPlan"]
    assert plan["manualRunAllowed"] is False
    assert "automatically" in plan["blockedReason"]


@pytest.mark.asyncio
@pytest.mark.parametrize("client", ["foreign", "999999", "abc"])
async def test_the_plan_of_a_client_not_of_the_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, client: str
) -> None:
    client_id = str(globex.client.id) if client == "foreign" else client
    body = await graphql.execute(PLAN, {"client": client_id}, user=acme.viewer)
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.asyncio
async def test_a_run_with_its_client_errors_and_generation_summary(
    graphql: GraphQLClient, acme: Team
) -> None:
    run = await make_run(
        acme.tenant,
        status=RunStatus.COMPLETED_WITH_ERRORS,
        client=acme.client,
        billing_date=date(2026, 11, 1),
    )
    run.clients_total, run.clients_processed, run.invoices_issued = 3, 3, 3
    run.amount_issued_cents = 12_345
    await run.save()
    for n in range(3):
        client = await make_client(acme.tenant, f"extra-{n}")
        await make_invoice(client, f"R-{n}", run=run)
    await RunError.create(
        tenant=acme.tenant,
        run=run,
        stage=RunErrorStage.PREFLIGHT,
        client=acme.client,
        message="service has a negative price",
    )
    found = (await graphql.data(RUN, {"id": str(run.id)}, user=acme.viewer))["invoiceRun"]
    assert found["status"] == "COMPLETED_WITH_ERRORS"
    assert found["trigger"] == "MANUAL"
    assert found["billingDate"] == "2026-11-01"
    assert found["createdAt"].endswith("+00:00")
    assert (found["clientsTotal"], found["invoicesIssued"], found["amountIssued"]) == (
        3,
        3,
        "123.45",
    )
    assert found["client"] == {"id": str(acme.client.id)}
    assert found["errors"] == [
        {
            "stage": "PREFLIGHT",
            "message": "service has a negative price",
            "client": {"id": str(acme.client.id), "name": "Acme Client"},
        }
    ]
    assert found["invoices"]["totalCount"] == 3
    assert found["invoices"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["number"] for e in found["invoices"]["edges"]] == ["R-2", "R-1"]


@pytest.mark.asyncio
async def test_another_tenants_run_is_null(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    foreign = await make_run(globex.tenant)
    for run_id in (str(foreign.id), "424242", "nope"):
        data = await graphql.data(RUN, {"id": run_id}, user=acme.viewer)
        assert data["invoiceRun"] is None


@pytest.mark.asyncio
async def test_runs_newest_first_in_pages(graphql: GraphQLClient, acme: Team, globex: Team) -> None:
    ids = [(await make_run(acme.tenant, trigger=RunTrigger.SCHEDULE)).id for _ in range(5)]
    await make_run(globex.tenant)
    first = (await graphql.data(RUNS, {"first": 3}, user=acme.viewer))["invoiceRuns"]
    assert [int(e["node"]["id"]) for e in first["edges"]] == ids[::-1][:3]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = (await graphql.data(RUNS, {"first": 3, "after": after}, user=acme.viewer))["invoiceRuns"]
    assert [int(e["node"]["id"]) for e in rest["edges"]] == ids[::-1][3:]
    assert rest["pageInfo"] == {"hasNextPage": False, "endCursor": rest["edges"][-1]["cursor"]}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("first", "after"),
    [(0, None), (201, None), (5, "garbage"), (5, base64.urlsafe_b64encode(b"invoice:x").decode())],
)
async def test_run_pages_refuse_invalid_arguments(
    graphql: GraphQLClient, acme: Team, first: int, after: str | None
) -> None:
    body = await graphql.execute(RUNS, {"first": first, "after": after}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]


@pytest.mark.asyncio
async def test_a_runs_invoice_page_refuses_invalid_arguments(
    graphql: GraphQLClient, acme: Team
) -> None:
    run = await make_run(acme.tenant)
    query = """query($id: ID!) { invoiceRun(id: $id) { invoices(first: 500) { totalCount } } }"""
    body = await graphql.execute(query, {"id": str(run.id)}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]
