"""finalizeInvoiceRun and discardInvoiceRun on a run whose drafts await review."""

from __future__ import annotations

from datetime import date

import pytest

from billing.invoices.lifecycle import InvoiceStatus
from billing.runs.lifecycle import RunStatus
from orm.models import Invoice, InvoiceRun, Service
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_run, make_service
from tests.support.runs import run_invoices

FINALIZE = """mutation($id: ID!) { finalizeInvoiceRun(input: {runId: $id}) {
  run { id status invoices { totalCount edges { node { number status } } } }
  errors { code message field }
} }"""

DISCARD = """mutation($id: ID!) { discardInvoiceRun(input: {runId: $id}) {
  run { id status invoices { totalCount } }
  errors { code message field }
} }"""


async def run_awaiting_review(team: Team) -> InvoiceRun:
    await make_service(team.client, next_bill_date=date(2026, 11, 1))
    run = await run_invoices(team.tenant, date(2026, 11, 20), review=True)
    assert run.status == RunStatus.AWAITING_REVIEW
    return run


@pytest.mark.asyncio
async def test_finalize_issues_the_drafts(graphql: GraphQLClient, acme: Team) -> None:
    run = await run_awaiting_review(acme)
    data = await graphql.data(FINALIZE, {"id": str(run.id)}, user=acme.editor)
    payload = data["finalizeInvoiceRun"]
    assert payload["errors"] == []
    assert payload["run"]["status"] == "COMPLETED"
    [edge] = payload["run"]["invoices"]["edges"]
    assert edge["node"]["status"] == "UNPAID"
    assert edge["node"]["number"]


@pytest.mark.asyncio
async def test_discard_throws_the_drafts_away(graphql: GraphQLClient, acme: Team) -> None:
    run = await run_awaiting_review(acme)
    data = await graphql.data(DISCARD, {"id": str(run.id)}, user=acme.editor)
    payload = data["discardInvoiceRun"]
    assert payload["errors"] == []
    assert payload["run"] == {
        "id": str(run.id),
        "status": "DISCARDED",
        "invoices": {"totalCount": 0},
    }
    assert not await Invoice.filter(run_id=run.id).exists()
    assert (await Service.get(client_id=acme.client.id)).next_bill_date == date(2026, 11, 1)


@pytest.mark.asyncio
@pytest.mark.parametrize("mutation", [FINALIZE, DISCARD])
async def test_a_run_not_awaiting_review_is_refused(
    graphql: GraphQLClient, acme: Team, mutation: str
) -> None:
    run = await make_run(acme.tenant, status=RunStatus.COMPLETED)
    data = await graphql.data(mutation, {"id": str(run.id)}, user=acme.editor)
    [payload] = data.values()
    assert payload["run"] is None
    assert [e["code"] for e in payload["errors"]] == ["NOT_AWAITING_REVIEW"]
    assert (await InvoiceRun.get(id=run.id)).status == RunStatus.COMPLETED


@pytest.mark.asyncio
@pytest.mark.parametrize("mutation", [FINALIZE, DISCARD])
@pytest.mark.parametrize("which", ["foreign", "malformed"])
async def test_a_run_not_of_the_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, mutation: str, which: str
) -> None:
    foreign = await run_awaiting_review(globex)
    run_id = str(foreign.id) if which == "foreign" else "run-1"
    data = await graphql.data(mutation, {"id": run_id}, user=acme.editor)
    [payload] = data.values()
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    assert (await InvoiceRun.get(id=foreign.id)).status == RunStatus.AWAITING_REVIEW
    drafts = await Invoice.filter(run_id=foreign.id).values_list("status", flat=True)
    assert drafts == [InvoiceStatus.DRAFT]
