"""The run page's client picker."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from billing.clients.eligibility import ChargeStatus
from billing.periods import ServicePeriod
from ispbox.config import Settings
from tests.graph.conftest import GraphQLClient, Team, api_client, error_codes, make_settings
from tests.support.builders import make_charge, make_client, make_service

CLIENTS = """query($search: String, $first: Int!) {
  clients(search: $search, first: $first) { id name }
}"""


async def names(
    graphql: GraphQLClient, team: Team, search: str | None = None, first: int = 20
) -> list[str]:
    data = await graphql.data(CLIENTS, {"search": search, "first": first}, user=team.viewer)
    return [client["name"] for client in data["clients"]]


@pytest.mark.asyncio
async def test_clients_by_name_within_the_tenant(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    await make_client(acme.tenant, "z", name="Zeta Cable")
    await make_client(acme.tenant, "b", name="Beta Broadband")
    assert await names(graphql, acme) == ["Acme Client", "Beta Broadband", "Zeta Cable"]


@pytest.mark.asyncio
async def test_search_matches_the_name_case_insensitively_and_literally(
    graphql: GraphQLClient, acme: Team
) -> None:
    await make_client(acme.tenant, "f", name="Fast_Net")
    await make_client(acme.tenant, "g", name="FastXNet")
    await make_client(acme.tenant, "p", name="100% Fiber")
    assert await names(graphql, acme, "fast_") == ["Fast_Net"]
    assert sorted(await names(graphql, acme, "FAST")) == ["FastXNet", "Fast_Net"]
    assert await names(graphql, acme, "%") == ["100% Fiber"]
    assert len(await names(graphql, acme, "   ")) == 4


@pytest.mark.asyncio
async def test_first_limits_the_list(graphql: GraphQLClient, acme: Team) -> None:
    for n in range(5):
        await make_client(acme.tenant, f"c{n}", name=f"Client {n}")
    assert len(await names(graphql, acme, first=3)) == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("first", [0, 201])
async def test_first_outside_1_to_200_is_invalid_input(
    graphql: GraphQLClient, acme: Team, first: int
) -> None:
    body = await graphql.execute(CLIENTS, {"first": first}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]


BILLING_ITEMS = """query($search: String) {
  clients(search: $search) {
    name
    services { description price quantity period nextBillDate status billable autoEmail }
    pendingCharges { description amount scheduledOn }
  }
}"""


@pytest.mark.asyncio
async def test_a_clients_services_and_pending_charges_for_its_billing_view(
    graphql: GraphQLClient, acme: Team
) -> None:
    await make_service(acme.client, "later", price="10.00", next_bill_date=date(2026, 12, 5))
    await make_service(
        acme.client,
        "fiber",
        price="49.99",
        quantity="2",
        period=ServicePeriod.QUARTERLY,
        next_bill_date=date(2026, 11, 30),
        auto_email=False,
    )
    await make_charge(acme.client, "router", amount="89.00", scheduled_on=date(2026, 11, 10))
    billed = await make_charge(acme.client, "billed", amount="5.00")
    billed.status = ChargeStatus.INVOICED
    await billed.save()

    data = await graphql.data(BILLING_ITEMS, {"search": "Acme"}, user=acme.viewer)

    [client] = data["clients"]
    assert client["services"] == [
        {
            "description": "Service fiber",
            "price": "49.99",
            "quantity": "2.00",
            "period": "QUARTERLY",
            "nextBillDate": "2026-11-30",
            "status": "ACTIVE",
            "billable": True,
            "autoEmail": False,
        },
        {
            "description": "Service later",
            "price": "10.00",
            "quantity": "1.00",
            "period": "MONTHLY",
            "nextBillDate": "2026-12-05",
            "status": "ACTIVE",
            "billable": True,
            "autoEmail": None,
        },
    ]
    assert client["pendingCharges"] == [
        {"description": "Charge router", "amount": "89.00", "scheduledOn": "2026-11-10"}
    ]


CLIENT = """query($id: ID!) { client(id: $id) { name billingUrl } }"""


@pytest.mark.asyncio
async def test_one_client_by_id_within_the_tenant(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    mine = await graphql.data(CLIENT, {"id": str(acme.client.id)}, user=acme.viewer)
    theirs = await graphql.data(CLIENT, {"id": str(globex.client.id)}, user=acme.viewer)
    malformed = await graphql.data(CLIENT, {"id": "not-an-id"}, user=acme.viewer)

    assert mine["client"] == {
        "name": "Acme Client",
        "billingUrl": f"http://dashboard.test/client_billing?client_id={acme.client.id}",
    }
    assert theirs["client"] is None and malformed["client"] is None


@pytest.mark.asyncio
async def test_the_billing_url_opens_the_configured_dashboard_page(db: str, acme: Team) -> None:
    settings = make_settings(
        db,
        dashboard_url="https://billing.example.test/dash/",
        client_billing_url="{dashboard_url}/clients/{id}/billing",
    )
    async with api_client(settings) as http:
        data = await GraphQLClient(http).data(CLIENT, {"id": str(acme.client.id)}, user=acme.viewer)

    assert data["client"]["billingUrl"] == (
        f"https://billing.example.test/dash/clients/{acme.client.id}/billing"
    )


def test_a_billing_url_template_with_unknown_names_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="client_billing_url"):
        Settings(client_billing_url="{dashboard_url}/client?c={client}")
