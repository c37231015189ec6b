"""A client as its documents print it (address, tax number, tax exemption) and why it is
blocked, where it is."""

from __future__ import annotations

import pytest

from billing.clients.eligibility import BlockedReason
from orm.models import Client
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_client

CLIENT = """query($id: ID!) { client(id: $id) {
  address taxId taxExempt taxExemptReason blocked blockedReason
} }"""


async def read_client(graphql: GraphQLClient, team: Team, client: Client) -> dict:
    return (await graphql.data(CLIENT, {"id": str(client.id)}, user=team.viewer))["client"]


@pytest.mark.asyncio
async def test_a_client_shows_its_address_tax_number_and_exemption(
    graphql: GraphQLClient, acme: Team
) -> None:
    client = acme.client
    client.address = "Rue de Rivoli 1\n75001 Paris"
    client.tax_id = "FR40303265045"
    client.tax_exempt = True
    client.tax_exempt_reason = "Reverse charge"
    await client.save()
    assert await read_client(graphql, acme, client) == {
        "address": "Rue de Rivoli 1\n75001 Paris",
        "taxId": "FR40303265045",
        "taxExempt": True,
        "taxExemptReason": "Reverse charge",
        "blocked": False,
        "blockedReason": None,
    }


@pytest.mark.asyncio
async def test_a_client_without_identity_reads_nulls_and_not_exempt(
    graphql: GraphQLClient, acme: Team
) -> None:
    shown = await read_client(graphql, acme, acme.client)
    assert (shown["address"], shown["taxId"], shown["taxExempt"]) == (None, None, False)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("stored_reason", "shown"),
    [(None, "MANUAL"), (BlockedReason.MANUAL, "MANUAL"), (BlockedReason.OVERDUE, "OVERDUE")],
)
async def test_a_blocked_client_says_why_and_a_block_without_a_reason_is_manual(
    graphql: GraphQLClient, acme: Team, stored_reason: BlockedReason | None, shown: str
) -> None:
    client = await make_client(acme.tenant, "blocked", blocked=True)
    client.blocked_reason = stored_reason
    await client.save()
    assert (await read_client(graphql, acme, client))["blockedReason"] == shown
