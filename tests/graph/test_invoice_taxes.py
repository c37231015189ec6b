"""Taxes through the API: an invoice's subtotal, tax total and breakdown per rate, each line's
rate, in the currency's minor digits; each invoice of a list with its own breakdown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from orm.models import Charge, Invoice, Service
from tests.graph.conftest import GraphQLClient
from tests.support.builders import (
    VIEW,
    ApiUser,
    make_charge,
    make_client,
    make_service,
    make_tenant,
    make_user,
)
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio

INVOICE_TAXES = """query($id: ID!) {
  invoice(id: $id) {
    subtotal taxTotal total balance
    taxes { rate taxable tax }
    lines { amount taxRate }
  }
}"""

LIST_TAXES = """{
  invoices(first: 10) { edges { node { number taxes { rate taxable tax } } } }
}"""


async def taxed_invoice(currency: str, price: str, charge: str) -> tuple[Invoice, ApiUser]:
    """A run's invoice of a tenant billing in `currency` at 10 % by default: a service at its
    default rate and a zero-rated charge."""
    tenant = await make_tenant(
        f"t-{currency.lower()}", currency=currency, default_tax_rate=Decimal("10")
    )
    client = await make_client(tenant, "c-1")
    await make_service(client, price=price, currency=currency)
    zero_rated = await make_charge(client, amount=charge, currency=currency)
    await Charge.filter(id=zero_rated.id).update(tax_rate=Decimal("0"))
    await run_invoices(tenant, date(2026, 11, 20))
    viewer = await make_user(tenant, "viewer", permissions=(VIEW,))
    return await Invoice.get(client=client), viewer


async def test_an_invoice_shows_its_taxes_in_dollars(graphql: GraphQLClient) -> None:
    invoice, viewer = await taxed_invoice("USD", "49.99", "89.00")

    data = await graphql.data(INVOICE_TAXES, {"id": str(invoice.id)}, user=viewer)

    shown = data["invoice"]
    assert (shown["subtotal"], shown["taxTotal"], shown["total"], shown["balance"]) == (
        "138.99",
        "5.00",
        "143.99",
        "143.99",
    )
    assert shown["taxes"] == [
        {"rate": "10", "taxable": "49.99", "tax": "5.00"},
        {"rate": "0", "taxable": "89.00", "tax": "0.00"},
    ]
    assert shown["lines"] == [
        {"amount": "49.99", "taxRate": "10"},
        {"amount": "89.00", "taxRate": "0"},
    ]


@pytest.mark.parametrize(
    ("currency", "price", "charge", "expected"),
    [
        ("JPY", "4999", "500", ("5499", "500", "5999", "500")),
        ("BHD", "12.345", "1.000", ("13.345", "1.235", "14.580", "1.235")),
    ],
)
async def test_taxes_have_exactly_the_currencys_digits(
    graphql: GraphQLClient,
    currency: str,
    price: str,
    charge: str,
    expected: tuple[str, str, str, str],
) -> None:
    invoice, viewer = await taxed_invoice(currency, price, charge)

    shown = (await graphql.data(INVOICE_TAXES, {"id": str(invoice.id)}, user=viewer))["invoice"]

    subtotal, tax_total, total, rate_tax = expected
    assert (shown["subtotal"], shown["taxTotal"], shown["total"]) == (subtotal, tax_total, total)
    assert shown["taxes"][0] == {"rate": "10", "taxable": price, "tax": rate_tax}


async def test_a_line_without_tax_shows_a_null_rate(graphql: GraphQLClient) -> None:
    tenant = await make_tenant("untaxed")
    client = await make_client(tenant, "c-1")
    await make_service(client, price="49.99")
    await run_invoices(tenant, date(2026, 11, 20))
    viewer = await make_user(tenant, "viewer", permissions=(VIEW,))
    invoice = await Invoice.get(client=client)

    shown = (await graphql.data(INVOICE_TAXES, {"id": str(invoice.id)}, user=viewer))["invoice"]

    assert (shown["subtotal"], shown["taxTotal"], shown["total"]) == ("49.99", "0.00", "49.99")
    assert shown["lines"] == [{"amount": "49.99", "taxRate": None}]
    assert shown["taxes"] == [{"rate": "0", "taxable": "49.99", "tax": "0.00"}]


async def test_a_list_shows_each_invoices_own_breakdown(graphql: GraphQLClient) -> None:
    tenant = await make_tenant("listed", default_tax_rate=Decimal("20"))
    for key, price in (("c-1", "10.00"), ("c-2", "20.00"), ("c-3", "30.00")):
        await make_service(await make_client(tenant, key), price=price)
    await Service.filter(client__key="c-3").update(tax_rate=Decimal("7"))
    await run_invoices(tenant, date(2026, 11, 20))
    viewer = await make_user(tenant, "viewer", permissions=(VIEW,))

    data = await graphql.data(LIST_TAXES, user=viewer)

    breakdowns = {
        edge["node"]["number"]: edge["node"]["taxes"] for edge in data["invoices"]["edges"]
    }
    assert breakdowns == {
        "INV-000001": [{"rate": "20", "taxable": "10.00", "tax": "2.00"}],
        "INV-000002": [{"rate": "20", "taxable": "20.00", "tax": "4.00"}],
        "INV-000003": [{"rate": "7", "taxable": "30.00", "tax": "2.10"}],
    }
