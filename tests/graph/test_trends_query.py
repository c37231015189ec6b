"""invoiceTrends: the overview's months in the tenant's currency, this month last, and its
bounds on `months`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from billing.dates import today_in
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.builders import make_invoice, pay

TRENDS = """query($months: Int!) { invoiceTrends(months: $months) {
  currency invoicedChange collectedChange invoiceCountChange
  months { month invoiced invoiceCount collected paymentCount }
} }"""


@pytest.mark.asyncio
async def test_this_months_figures_come_last_with_their_change(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    today = today_in(acme.tenant.timezone)
    first_of_month = today.replace(day=1)
    last_month = first_of_month - timedelta(days=1)
    invoice = await make_invoice(acme.client, "NOW", issued_on=first_of_month, total="12.34")
    await make_invoice(acme.client, "BEFORE", issued_on=last_month, total="2.00")
    await make_invoice(globex.client, "THEIRS", issued_on=first_of_month, total="999.00")
    await pay(invoice, "10.00", paid_on=first_of_month)

    data = await graphql.data(TRENDS, {"months": 3}, user=acme.viewer)
    trends = data["invoiceTrends"]
    assert trends["currency"] == "USD"
    assert [month["month"] for month in trends["months"]][-2:] == [
        last_month.replace(day=1).isoformat(),
        first_of_month.isoformat(),
    ]
    assert trends["months"][-1] == {
        "month": first_of_month.isoformat(),
        "invoiced": "12.34",
        "invoiceCount": 1,
        "collected": "10.00",
        "paymentCount": 1,
    }
    assert trends["invoicedChange"] == "10.34"
    assert trends["collectedChange"] == "10.00"
    assert trends["invoiceCountChange"] == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("months", [0, 37, -1])
async def test_months_outside_1_to_36_is_invalid_input(
    graphql: GraphQLClient, acme: Team, months: int
) -> None:
    body = await graphql.execute(TRENDS, {"months": months}, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]


@pytest.mark.asyncio
async def test_trends_need_the_view_permission(graphql: GraphQLClient, acme: Team) -> None:
    body = await graphql.execute(TRENDS, {"months": 12}, user=acme.stranger)
    assert error_codes(body) == ["FORBIDDEN"]
