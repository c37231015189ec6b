"""Money through the API in the tenant's currency: exactly its ISO 4217 minor digits on every
money field (JPY none, BHD three), quantities as before."""

from __future__ import annotations

import pytest

from billing.invoices.lifecycle import InvoiceStatus
from orm.models import InvoiceRun
from tests.graph.conftest import GraphQLClient
from tests.support.builders import (
    VIEW,
    ApiUser,
    add_line,
    make_charge,
    make_client,
    make_invoice,
    make_run,
    make_service,
    make_tenant,
    make_user,
    pay,
)

MONEY = """query($id: ID!) {
  invoice(id: $id) {
    currency total balance
    lines { quantity unitPrice amount }
    allocations { amount }
    client { services { price quantity } pendingCharges { amount } }
  }
  invoiceKpis { currency outstandingBalance byStatus { status total balance } }
  invoiceRuns(first: 1) { edges { node { amountIssued } } }
}"""


async def money_fields(graphql: GraphQLClient, currency: str, amounts: dict[str, str]) -> dict:
    """The money fields of an invoice, its client, the KPIs and a run of a tenant billing in
    `currency`, built from the given amounts."""
    tenant = await make_tenant(f"t-{currency.lower()}", currency=currency)
    client = await make_client(tenant, "c-1")
    viewer: ApiUser = await make_user(tenant, "viewer", permissions=(VIEW,))
    invoice = await make_invoice(
        client,
        "INV-1",
        status=InvoiceStatus.PARTIAL,
        total=amounts["total"],
        balance=amounts["balance"],
        currency=currency,
    )
    await add_line(invoice, unit_price=amounts["price"], quantity="2")
    await pay(invoice, amounts["paid"])
    await make_service(client, price=amounts["price"], quantity="1.5", currency=currency)
    await make_charge(client, amount=amounts["paid"], currency=currency)
    run = await make_run(tenant)
    await InvoiceRun.filter(id=run.id).update(amount_issued_cents=invoice.total_cents)
    return await graphql.data(MONEY, {"id": str(invoice.id)}, user=viewer)


@pytest.mark.asyncio
async def test_a_yen_tenant_sees_whole_yen_everywhere(graphql: GraphQLClient) -> None:
    amounts = {"total": "10000", "balance": "5000", "price": "5000", "paid": "5000"}
    data = await money_fields(graphql, "JPY", amounts)

    invoice = data["invoice"]
    assert (invoice["currency"], invoice["total"], invoice["balance"]) == ("JPY", "10000", "5000")
    assert invoice["lines"] == [{"quantity": "2.00", "unitPrice": "5000", "amount": "10000"}]
    assert invoice["allocations"] == [{"amount": "5000"}]
    assert invoice["client"]["services"] == [{"price": "5000", "quantity": "1.50"}]
    assert invoice["client"]["pendingCharges"] == [{"amount": "5000"}]
    kpis = data["invoiceKpis"]
    assert (kpis["currency"], kpis["outstandingBalance"]) == ("JPY", "5000")
    partial = next(row for row in kpis["byStatus"] if row["status"] == "PARTIAL")
    assert (partial["total"], partial["balance"]) == ("10000", "5000")
    assert data["invoiceRuns"]["edges"][0]["node"]["amountIssued"] == "10000"


@pytest.mark.asyncio
async def test_a_dinar_tenant_sees_three_places_even_with_trailing_zeros(
    graphql: GraphQLClient,
) -> None:
    amounts = {"total": "24.690", "balance": "23.456", "price": "12.345", "paid": "1.234"}
    data = await money_fields(graphql, "BHD", amounts)

    invoice = data["invoice"]
    assert (invoice["total"], invoice["balance"]) == ("24.690", "23.456")
    assert invoice["lines"] == [{"quantity": "2.00", "unitPrice": "12.345", "amount": "24.690"}]
    assert invoice["allocations"] == [{"amount": "1.234"}]
    assert invoice["client"]["services"] == [{"price": "12.345", "quantity": "1.50"}]
    assert invoice["client"]["pendingCharges"] == [{"amount": "1.234"}]
    assert data["invoiceKpis"]["outstandingBalance"] == "23.456"
    assert data["invoiceRuns"]["edges"][0]["node"]["amountIssued"] == "24.690"
