"""Taxes as runs issue invoices, on the database: rates, both price modes, exempt clients,
the tax breakdown rows, drafts and their finalize."""

from datetime import date
from decimal import Decimal

import pytest

from billing.runs.lifecycle import RunStatus
from billing.runs.review import discard_invoice_run, finalize_invoice_run
from orm.models import Charge, Client, Invoice, InvoiceLine, InvoiceTax, RunError, Service, Tenant
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio

RUN_DATE = date(2026, 11, 20)


async def with_rate(record: Service | Charge, rate: str) -> None:
    await type(record).filter(id=record.id).update(tax_rate=Decimal(rate))


async def exempt(client: Client, reason: str | None) -> None:
    await Client.filter(id=client.id).update(tax_exempt=True, tax_exempt_reason=reason)


async def figures(client: Client) -> tuple[int, int, int, int]:
    invoice = await Invoice.get(client=client)
    return invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents, invoice.balance_cents


async def line_figures(client: Client) -> list[tuple[int, Decimal | None]]:
    lines = await InvoiceLine.filter(invoice__client=client).order_by("position")
    return [
        (line.amount_cents, None if line.tax_rate is None else Decimal(line.tax_rate).normalize())
        for line in lines
    ]


async def tax_rows(client: Client) -> set[tuple[str, Decimal, int, int, str | None]]:
    rows = await InvoiceTax.filter(invoice__client=client)
    return {
        (
            row.category,
            Decimal(row.rate).normalize(),
            row.taxable_cents,
            row.tax_cents,
            row.exemption_reason,
        )
        for row in rows
    }


async def assert_adds_up(tenant: Tenant) -> None:
    """Subtotal + tax = total on every invoice; its lines and its tax rows add up to them."""
    for invoice in await Invoice.filter(tenant=tenant):
        lines = await InvoiceLine.filter(invoice=invoice).values_list("amount_cents", flat=True)
        rows = await InvoiceTax.filter(invoice=invoice)
        assert invoice.subtotal_cents + invoice.tax_cents == invoice.total_cents
        assert sum(lines) == invoice.subtotal_cents
        assert sum(row.taxable_cents for row in rows) == invoice.subtotal_cents
        assert sum(row.tax_cents for row in rows) == invoice.tax_cents


async def test_exclusive_prices_tax_each_rate_once_and_add_it_to_the_total(db: str) -> None:
    tenant = await make_tenant(default_tax_rate=Decimal("20"))
    client = await make_client(tenant, "c-1")
    await make_service(client, "s-1", price="49.99")  # the tenant's 20 %
    await with_rate(await make_service(client, "s-2", price="10.00"), "7")
    await with_rate(await make_charge(client, amount="89.00"), "0")

    run = await run_invoices(tenant, RUN_DATE)

    assert await figures(client) == (14899, 1070, 15969, 15969)
    assert await line_figures(client) == [
        (4999, Decimal(20)),
        (1000, Decimal(7)),
        (8900, Decimal(0)),
    ]
    assert await tax_rows(client) == {
        ("S", Decimal(20), 4999, 1000, None),  # 999.8 rounded half up once for the rate
        ("S", Decimal(7), 1000, 70, None),
        ("Z", Decimal(0), 8900, 0, None),
    }
    assert run.amount_issued_cents == 15969
    await assert_adds_up(tenant)


async def test_inclusive_prices_total_what_was_charged_with_the_net_spread_over_lines(
    db: str,
) -> None:
    tenant = await make_tenant(default_tax_rate=Decimal("20"), prices_include_tax=True)
    client = await make_client(tenant, "c-1")
    await make_service(client, "s-1", price="10.00")
    await make_service(client, "s-2", price="10.00")
    await make_charge(client, amount="10.01")
    await with_rate(await make_service(client, "s-3", price="5.00"), "5.5")

    await run_invoices(tenant, RUN_DATE)

    # 20 %: gross 3001, tax round(3001 × 20/120) = 500; 5.5 %: gross 500, tax round(26.07) = 26.
    assert await figures(client) == (2501 + 474, 526, 3501, 3501)
    assert await tax_rows(client) == {
        ("S", Decimal(20), 2501, 500, None),
        ("S", Decimal("5.5"), 474, 26, None),
    }
    lines = await line_figures(client)
    assert sorted(amount for amount, rate in lines if rate == 20) == [833, 834, 834]
    assert [amount for amount, rate in lines if rate == Decimal("5.5")] == [474]
    await assert_adds_up(tenant)


async def test_without_a_rate_or_a_default_a_line_carries_no_tax(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    await make_service(client, price="49.99")

    await run_invoices(tenant, RUN_DATE)

    assert await figures(client) == (4999, 0, 4999, 4999)
    assert await line_figures(client) == [(4999, None)]
    assert await tax_rows(client) == {("O", Decimal(0), 4999, 0, None)}


async def test_an_exempt_client_is_invoiced_without_tax_and_with_its_reason(db: str) -> None:
    tenant = await make_tenant(default_tax_rate=Decimal("20"))
    client = await make_client(tenant, "c-1")
    await exempt(client, "Exempt under Art. 132(1)(a) VAT Directive")
    await make_service(client, price="49.99")
    await with_rate(await make_charge(client, amount="89.00"), "7")
    taxed = await make_client(tenant, "c-2")
    await make_service(taxed, price="49.99")

    await run_invoices(tenant, RUN_DATE)

    assert await figures(client) == (13899, 0, 13899, 13899)
    assert await line_figures(client) == [(4999, Decimal(0)), (8900, Decimal(0))]
    assert await tax_rows(client) == {
        ("E", Decimal(0), 13899, 0, "Exempt under Art. 132(1)(a) VAT Directive")
    }
    assert await figures(taxed) == (4999, 1000, 5999, 5999)


async def test_an_exempt_client_without_a_reason_is_not_billed_and_the_run_says_why(
    db: str,
) -> None:
    tenant = await make_tenant(default_tax_rate=Decimal("20"))
    client = await make_client(tenant, "c-1")
    await exempt(client, None)
    await make_service(client)
    other = await make_client(tenant, "c-2")
    await make_service(other)

    run = await run_invoices(tenant, RUN_DATE)

    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    assert not await Invoice.filter(client=client).exists()
    error = await RunError.get(run_id=run.id)
    assert error.client_id == client.id and "exempt from tax" in error.message
    assert await Invoice.filter(client=other).count() == 1


@pytest.mark.parametrize(
    ("currency", "price", "rate", "expected"),
    [
        # Whole yen: 333 × 8 % = 26.64 → 27.
        ("JPY", "333", "8", (333, 27, 360)),
        # Fils: 12.345 × 10 % = 1.2345 → 1.235 (1234.5 fils, half up).
        ("BHD", "12.345", "10", (12345, 1235, 13580)),
    ],
)
async def test_tax_is_rounded_to_the_currencys_minor_unit(
    db: str, currency: str, price: str, rate: str, expected: tuple[int, int, int]
) -> None:
    tenant = await make_tenant(currency=currency, default_tax_rate=Decimal(rate))
    client = await make_client(tenant, "c-1")
    await make_service(client, price=price, currency=currency)

    await run_invoices(tenant, RUN_DATE)

    assert (await figures(client))[:3] == expected


async def test_drafts_carry_the_taxes_and_finalize_keeps_them(db: str) -> None:
    tenant = await make_tenant(default_tax_rate=Decimal("20"), prices_include_tax=True)
    client = await make_client(tenant, "c-1")
    await make_service(client, "s-1", price="10.00")
    await with_rate(await make_charge(client, amount="10.01"), "7")

    run = await run_invoices(tenant, RUN_DATE, review=True)
    drafted = (await figures(client), await line_figures(client), await tax_rows(client))
    await finalize_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id)

    # 20 %: 1000 gross, tax 167; 7 %: 1001 gross, tax round(65.49) = 65.
    assert drafted[0] == (833 + 936, 232, 2001, 2001)
    assert (await figures(client), await line_figures(client), await tax_rows(client)) == drafted
    assert (await Invoice.get(client=client)).number is not None


async def test_discarding_a_review_run_removes_its_tax_rows(db: str) -> None:
    tenant = await make_tenant(default_tax_rate=Decimal("20"))
    client = await make_client(tenant, "c-1")
    await make_service(client)
    run = await run_invoices(tenant, RUN_DATE, review=True)
    assert await InvoiceTax.all().count() == 1

    await discard_invoice_run(tenant_id=tenant.id, user_id=None, run_id=run.id)

    assert await InvoiceTax.all().count() == 0
