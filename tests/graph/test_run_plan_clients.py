"""The run plan's count of the clients a run started now would take up."""

from __future__ import annotations

import pytest

from billing.clients.eligibility import ClientStatus
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_client

PLAN_CLIENTS = """query($client: ID) {
  invoiceRunPlan(clientId: $client) { eligibleClients }
}"""


async def eligible_clients(graphql: GraphQLClient, team: Team, client_id: str | None) -> int:
    data = await graphql.data(PLAN_CLIENTS, {"client": client_id}, user=team.viewer)
    return data["invoiceRunPlan"]["eligibleClients"]


@pytest.mark.asyncio
async def test_the_plan_counts_active_and_overdue_clients_that_are_not_blocked(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    await make_client(acme.tenant, "overdue", status=ClientStatus.OVERDUE)
    await make_client(acme.tenant, "blocked", blocked=True)
    await make_client(acme.tenant, "suspended", status=ClientStatus.SUSPENDED)
    await make_client(acme.tenant, "inactive", status=ClientStatus.INACTIVE)

    # acme's own client and the overdue one; globex's client is not acme's.
    assert await eligible_clients(graphql, acme, None) == 2


@pytest.mark.asyncio
async def test_the_plan_counts_only_the_chosen_client(graphql: GraphQLClient, acme: Team) -> None:
    await make_client(acme.tenant, "other")
    blocked = await make_client(acme.tenant, "blocked", blocked=True)

    assert await eligible_clients(graphql, acme, str(acme.client.id)) == 1
    assert await eligible_clients(graphql, acme, str(blocked.id)) == 0
