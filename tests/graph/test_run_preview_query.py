"""invoiceRunPreview: the bulk-run page's dry run, in the tenant's currency, with the plan's own
date rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from billing.dates import today_in
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.factories import make_charge, make_service

PREVIEW = """query($billingDate: Date, $clientId: ID) {
  invoiceRunPreview(billingDate: $billingDate, clientId: $clientId) {
    runDate currency eligibleClients clientsBilled lines subtotal taxTotal total clientsNotBilled
  }
}"""


@pytest.mark.asyncio
async def test_the_preview_counts_the_clients_and_amount_a_run_would_bill(
    graphql: GraphQLClient, acme: Team
) -> None:
    today = today_in(acme.tenant.timezone)
    await make_service(acme.client, price="20.50", next_bill_date=today)
    await make_charge(acme.client, amount="4.50", scheduled_on=today)

    data = await graphql.data(PREVIEW, {}, user=acme.viewer)

    assert data["invoiceRunPreview"] == {
        "runDate": today.isoformat(),
        "currency": "USD",
        "eligibleClients": 1,
        "clientsBilled": 1,
        "lines": 2,
        "subtotal": "25.00",
        "taxTotal": "0.00",
        "total": "25.00",
        "clientsNotBilled": 0,
    }


@pytest.mark.asyncio
async def test_a_billing_date_the_plan_refuses_is_refused_here_too(
    graphql: GraphQLClient, acme: Team
) -> None:
    too_late = today_in(acme.tenant.timezone) + timedelta(days=4000)
    body = await graphql.execute(PREVIEW, {"billingDate": too_late.isoformat()}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]


@pytest.mark.asyncio
async def test_an_unknown_client_is_not_found(graphql: GraphQLClient, acme: Team) -> None:
    body = await graphql.execute(PREVIEW, {"clientId": "nope"}, user=acme.viewer)
    assert error_codes(body) == ["NOT_FOUND"]
