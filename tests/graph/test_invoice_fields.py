"""One invoice: its fields, money as two-decimal strings, lines, allocations, run, preview link."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from billing.dates import today_in
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.runs.lifecycle import RunStatus
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import add_line, make_invoice, make_run, pay

INVOICE = """query($id: ID!) {
  invoice(id: $id) {
    id number displayNumber issuedOn dueOn graceUntil periodStart periodEnd currency
    total balance status overdue emailedAt voidedAt previewUrl
    client { id name email status blocked billingUrl }
    lines { id kind description quantity unitPrice amount periodStart periodEnd }
    allocations { id amount paidOn method }
    run { id status }
  }
}"""


async def invoice_data(graphql: GraphQLClient, team: Team, invoice_id: object) -> dict | None:
    data = await graphql.data(INVOICE, {"id": str(invoice_id)}, user=team.viewer)
    return data["invoice"]


@pytest.mark.asyncio
async def test_an_invoice_with_its_lines_allocations_client_and_run(
    graphql: GraphQLClient, acme: Team
) -> None:
    run = await make_run(acme.tenant, status=RunStatus.COMPLETED)
    invoice = await make_invoice(
        acme.client,
        "INV-0007",
        status=InvoiceStatus.PARTIAL,
        issued_on=date(2026, 11, 1),
        total="1234.50",
        balance="1034.50",
        run=run,
        period=(date(2026, 11, 1), date(2026, 11, 30)),
    )
    await add_line(
        invoice,
        "Fiber 1000",
        unit_price="1000.00",
        quantity="1.125",
        period=(date(2026, 11, 1), date(2026, 11, 30)),
    )
    await add_line(
        invoice, "Router", unit_price="109.50", kind=InvoiceLineKind.ONE_TIME_CHARGE, position=1
    )
    await pay(invoice, "200", paid_on=date(2026, 11, 3), method="bank transfer")

    found = await invoice_data(graphql, acme, invoice.id)

    assert found is not None
    assert {k: found[k] for k in ("number", "displayNumber", "total", "balance", "status")} == {
        "number": "INV-0007",
        "displayNumber": "INV-0007",
        "total": "1234.50",
        "balance": "1034.50",
        "status": "PARTIAL",
    }
    assert (found["issuedOn"], found["dueOn"], found["graceUntil"]) == (
        "2026-11-01",
        "2026-11-15",
        "2026-11-22",
    )
    assert (found["periodStart"], found["periodEnd"], found["currency"]) == (
        "2026-11-01",
        "2026-11-30",
        "USD",
    )
    assert found["client"] == {
        "id": str(acme.client.id),
        "name": "Acme Client",
        "email": "client@example.com",
        "status": "ACTIVE",
        "blocked": False,
        "billingUrl": f"http://dashboard.test/client_billing?client_id={acme.client.id}",
    }
    assert [
        (line["kind"], line["quantity"], line["unitPrice"], line["amount"], line["periodStart"])
        for line in found["lines"]
    ] == [
        ("SERVICE", "1.125", "1000.00", "1125.00", "2026-11-01"),
        ("ONE_TIME_CHARGE", "1.00", "109.50", "109.50", None),
    ]
    assert [(a["amount"], a["paidOn"], a["method"]) for a in found["allocations"]] == [
        ("200.00", "2026-11-03", "bank transfer")
    ]
    assert found["run"] == {"id": str(run.id), "status": "COMPLETED"}


@pytest.mark.asyncio
async def test_display_number_falls_back_to_the_id(graphql: GraphQLClient, acme: Team) -> None:
    draft = await make_invoice(acme.client, None, status=InvoiceStatus.DRAFT)
    found = await invoice_data(graphql, acme, draft.id)
    assert found is not None
    assert (found["number"], found["displayNumber"]) == (None, str(draft.id))


@pytest.mark.asyncio
async def test_overdue_means_a_balance_and_a_due_date_before_today(
    graphql: GraphQLClient, acme: Team
) -> None:
    today = today_in(acme.tenant.timezone)
    late = await make_invoice(acme.client, "LATE", due_on=today - timedelta(days=1))
    due_today = await make_invoice(acme.client, "TODAY", due_on=today)
    settled = await make_invoice(
        acme.client, "PAID", status=InvoiceStatus.PAID, due_on=today - timedelta(days=30)
    )
    overdue = {
        invoice.number: (await invoice_data(graphql, acme, invoice.id))["overdue"]  # type: ignore[index]
        for invoice in (late, due_today, settled)
    }
    assert overdue == {"LATE": True, "TODAY": False, "PAID": False}


@pytest.mark.asyncio
async def test_overdue_uses_the_tenants_calendar(graphql: GraphQLClient, acme: Team) -> None:
    acme.tenant.timezone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of UTC
    await acme.tenant.save()
    today_there = today_in("Pacific/Kiritimati")
    invoice = await make_invoice(acme.client, "EDGE", due_on=today_there - timedelta(days=1))
    assert (await invoice_data(graphql, acme, invoice.id))["overdue"] is True  # type: ignore[index]


@pytest.mark.asyncio
async def test_an_unknown_malformed_or_foreign_id_is_null(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    foreign = await make_invoice(globex.client, "GLOBEX-1")
    assert await invoice_data(graphql, acme, foreign.id) is None
    assert await invoice_data(graphql, acme, 999_999) is None
    assert await invoice_data(graphql, acme, "abc") is None
    assert await invoice_data(graphql, acme, "-1") is None
    assert await invoice_data(graphql, acme, "99999999999999999999999") is None


@pytest.mark.asyncio
async def test_the_preview_url_opens_the_invoice(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client, "INV-0099", total="42.00")
    found = await invoice_data(graphql, acme, invoice.id)
    assert found is not None
    assert found["previewUrl"].startswith(f"http://api.test/invoices/{invoice.id}/preview?token=")
    page = await api.get(found["previewUrl"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "INV-0099" in page.text
