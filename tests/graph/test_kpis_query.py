"""The KPI cards: counts and sums of the tenant's issued invoices, and a row per status."""

from __future__ import annotations

import pytest

from billing.invoices.lifecycle import InvoiceStatus
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_invoice

KPIS = """{ invoiceKpis {
  totalInvoices outstandingBalance paidInvoices currency
  byStatus { status count total balance }
} }"""


async def kpis(graphql: GraphQLClient, team: Team) -> dict:
    return (await graphql.data(KPIS, user=team.viewer))["invoiceKpis"]


@pytest.mark.asyncio
async def test_an_empty_tenant_has_zero_cards_and_a_zero_row_per_status(
    graphql: GraphQLClient, acme: Team
) -> None:
    assert await kpis(graphql, acme) == {
        "totalInvoices": 0,
        "outstandingBalance": "0.00",
        "paidInvoices": 0,
        "currency": "USD",
        "byStatus": [
            {"status": status, "count": 0, "total": "0.00", "balance": "0.00"}
            for status in ("DRAFT", "UNPAID", "PARTIAL", "PAID", "VOID")
        ],
    }


@pytest.mark.asyncio
async def test_cards_count_issued_invoices_and_sum_positive_balances_exactly(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    await make_invoice(acme.client, "U1", total="0.10", balance="0.10")
    await make_invoice(acme.client, "U2", total="0.20", balance="0.20")
    await make_invoice(acme.client, "U3", total="10.00", balance="-5.00")  # overpaid
    await make_invoice(acme.client, "PA", status=InvoiceStatus.PARTIAL, total="50", balance="20")
    await make_invoice(acme.client, "P1", status=InvoiceStatus.PAID, total="30.00")
    await make_invoice(acme.client, "P2", status=InvoiceStatus.PAID, total="0.00")
    await make_invoice(acme.client, "V1", status=InvoiceStatus.VOID, total="70.00")
    await make_invoice(acme.client, None, status=InvoiceStatus.DRAFT, total="999.99")
    await make_invoice(globex.client, "G1", total="5000.00")

    found = await kpis(graphql, acme)

    assert found["totalInvoices"] == 7
    assert found["outstandingBalance"] == "20.30"
    assert found["paidInvoices"] == 2
    assert found["byStatus"] == [
        {"status": "DRAFT", "count": 1, "total": "999.99", "balance": "999.99"},
        {"status": "UNPAID", "count": 3, "total": "10.30", "balance": "-4.70"},
        {"status": "PARTIAL", "count": 1, "total": "50.00", "balance": "20.00"},
        {"status": "PAID", "count": 2, "total": "30.00", "balance": "0.00"},
        {"status": "VOID", "count": 1, "total": "70.00", "balance": "0.00"},
    ]


@pytest.mark.asyncio
async def test_the_currency_is_the_tenants(graphql: GraphQLClient, acme: Team) -> None:
    acme.tenant.currency = "EUR"
    await acme.tenant.save()
    assert (await kpis(graphql, acme))["currency"] == "EUR"
