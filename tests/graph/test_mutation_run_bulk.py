"""runBulk: a run is queued for the workers, or refused with a reason and nothing written."""

from __future__ import annotations

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from billing.audit.actions import AuditAction
from billing.clients.eligibility import ClientStatus
from billing.runs.lifecycle import RunStatus
from orm.models import AuditEvent, InvoiceRun
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_client, make_run

RUN_BULK = """mutation($input: RunBulkInput!) { runBulk(input: $input) {
  run { id billingDate status trigger review client { id } }
  errors { code message field }
} }"""


async def run_bulk(graphql: GraphQLClient, team: Team, **input: object) -> dict:
    data = await graphql.data(RUN_BULK, {"input": input}, user=team.editor)
    return data["runBulk"]


def queued_run_messages() -> list[int]:
    broker = dramatiq.get_broker()
    if not isinstance(broker, StubBroker):
        pytest.skip("needs the embedded broker to look at queued messages")
    queue = broker.queues.get("runs")
    raw_messages = list(queue.queue) if queue else []  # type: ignore[attr-defined]
    return [dramatiq.Message.decode(raw).args[0] for raw in raw_messages]


@pytest.mark.asyncio
async def test_a_run_is_queued_for_the_workers(graphql: GraphQLClient, acme: Team) -> None:
    dramatiq.get_broker().flush_all()
    payload = await run_bulk(graphql, acme, billingDate="2026-11-15", clientId=str(acme.client.id))
    assert payload["errors"] == []
    run = payload["run"]
    assert {k: run[k] for k in ("billingDate", "status", "trigger", "review")} == {
        "billingDate": "2026-11-15",
        "status": "QUEUED",
        "trigger": "MANUAL",
        "review": False,
    }
    assert run["client"] == {"id": str(acme.client.id)}
    stored = await InvoiceRun.get(id=int(run["id"]))
    assert (stored.tenant_id, stored.created_by_id) == (acme.tenant.id, acme.editor.user.id)
    assert await AuditEvent.filter(action=AuditAction.RUN, run_id=stored.id).exists()
    assert queued_run_messages() == [stored.id]


@pytest.mark.asyncio
async def test_review_asks_for_drafts(graphql: GraphQLClient, acme: Team) -> None:
    payload = await run_bulk(graphql, acme, billingDate="2026-11-15", review=True)
    assert payload["run"]["review"] is True


async def refused(graphql: GraphQLClient, team: Team, code: str, **input: object) -> dict:
    runs_before = await InvoiceRun.all().count()
    payload = await run_bulk(graphql, team, **input)
    assert payload["run"] is None
    assert [error["code"] for error in payload["errors"]] == [code]
    assert await InvoiceRun.all().count() == runs_before
    return payload["errors"][0]


@pytest.mark.asyncio
async def test_manual_runs_are_refused_while_automatic_generation_is_on(
    graphql: GraphQLClient, acme: Team
) -> None:
    acme.tenant.auto_generate = True
    await acme.tenant.save()
    error = await refused(graphql, acme, "MANUAL_RUN_DISABLED", billingDate="2026-11-15")
    assert "automatically" in error["message"]


@pytest.mark.asyncio
async def test_a_billing_date_is_needed_where_none_is_locked(
    graphql: GraphQLClient, acme: Team
) -> None:
    error = await refused(graphql, acme, "INVALID_INPUT")
    assert error["field"] == "billingDate"


@pytest.mark.asyncio
@pytest.mark.parametrize("client", ["foreign", "987654", "not-an-id"])
async def test_a_client_not_of_the_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, client: str
) -> None:
    client_id = str(globex.client.id) if client == "foreign" else client
    error = await refused(graphql, acme, "NOT_FOUND", billingDate="2026-11-15", clientId=client_id)
    assert error["field"] == "clientId"


@pytest.mark.asyncio
@pytest.mark.parametrize("blocked", [True, False])
async def test_a_blocked_or_suspended_client_is_not_eligible(
    graphql: GraphQLClient, acme: Team, blocked: bool
) -> None:
    client = await make_client(
        acme.tenant,
        "held",
        blocked=blocked,
        status=ClientStatus.ACTIVE if blocked else ClientStatus.SUSPENDED,
    )
    await refused(
        graphql, acme, "CLIENT_NOT_ELIGIBLE", billingDate="2026-11-15", clientId=str(client.id)
    )


@pytest.mark.asyncio
async def test_one_active_run_per_tenant(graphql: GraphQLClient, acme: Team, globex: Team) -> None:
    await make_run(acme.tenant, status=RunStatus.RUNNING)
    await refused(graphql, acme, "RUN_IN_PROGRESS", billingDate="2026-11-15")
    other = await run_bulk(graphql, globex, billingDate="2026-11-15")
    assert other["errors"] == []
