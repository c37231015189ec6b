"""voidInvoice: an unpaid invoice becomes void; the void rules refuse the rest, changing nothing."""

from __future__ import annotations

from datetime import date

import pytest

from orm.models import AuditEvent, Invoice, Service, ServiceRebillPeriod
from orm.models.enums import AuditAction, InvoiceStatus
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import add_line, make_invoice, make_service, pay

VOID = """mutation($input: VoidInvoiceInput!) { voidInvoice(input: $input) {
  invoice { id status balance voidedAt total }
  errors { code message field }
} }"""


async def void(graphql: GraphQLClient, team: Team, **input: object) -> dict:
    return (await graphql.data(VOID, {"input": input}, user=team.editor))["voidInvoice"]


@pytest.mark.asyncio
async def test_an_unpaid_invoice_is_voided_with_its_reason(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client, total="80.00")
    payload = await void(graphql, acme, id=str(invoice.id), reason="billed twice")
    assert payload["errors"] == []
    assert payload["invoice"]["status"] == "VOID"
    assert (payload["invoice"]["total"], payload["invoice"]["balance"]) == ("80.00", "0.00")
    assert payload["invoice"]["voidedAt"] is not None
    stored = await Invoice.get(id=invoice.id)
    assert (stored.status, stored.void_reason) == (InvoiceStatus.VOID, "billed twice")
    event = await AuditEvent.get(action=AuditAction.VOID, invoice_id=invoice.id)
    assert event.user_id == acme.editor.user.id


@pytest.mark.asyncio
async def test_reset_service_schedule_puts_the_periods_back(
    graphql: GraphQLClient, acme: Team
) -> None:
    service = await make_service(acme.client, next_bill_date=date(2026, 12, 1))
    invoice = await make_invoice(acme.client, period=(date(2026, 11, 1), date(2026, 11, 30)))
    line = await add_line(invoice, period=(date(2026, 11, 1), date(2026, 11, 30)))
    line.service_id = service.id
    await line.save()
    payload = await void(graphql, acme, id=str(invoice.id), resetServiceSchedule=True)
    assert payload["errors"] == []
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)
    put_back = await ServiceRebillPeriod.filter(service_id=service.id, line_id=None).values_list(
        "period_start", "period_end"
    )
    assert put_back == [(date(2026, 11, 1), date(2026, 11, 30))]


@pytest.mark.asyncio
async def test_without_reset_the_schedule_stays(graphql: GraphQLClient, acme: Team) -> None:
    service = await make_service(acme.client, next_bill_date=date(2026, 12, 1))
    invoice = await make_invoice(acme.client)
    line = await add_line(invoice, period=(date(2026, 11, 1), date(2026, 11, 30)))
    line.service_id = service.id
    await line.save()
    await void(graphql, acme, id=str(invoice.id))
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "payment", "code"),
    [
        (InvoiceStatus.VOID, None, "ALREADY_VOID"),
        (InvoiceStatus.PAID, None, "NOT_VOIDABLE"),
        (InvoiceStatus.PARTIAL, None, "NOT_VOIDABLE"),
        (InvoiceStatus.UNPAID, "5.00", "HAS_ALLOCATIONS"),
    ],
)
async def test_the_void_rules_refuse_and_change_nothing(
    graphql: GraphQLClient,
    acme: Team,
    status: InvoiceStatus,
    payment: str | None,
    code: str,
) -> None:
    invoice = await make_invoice(acme.client, status=status)
    if payment:
        await pay(invoice, payment)
    before = await Invoice.get(id=invoice.id)
    payload = await void(graphql, acme, id=str(invoice.id))
    assert payload["invoice"] is None
    assert [error["code"] for error in payload["errors"]] == [code]
    after = await Invoice.get(id=invoice.id)
    assert (after.status, after.balance_cents, after.voided_at) == (
        before.status,
        before.balance_cents,
        before.voided_at,
    )
    assert not await AuditEvent.filter(action=AuditAction.VOID).exists()


@pytest.mark.asyncio
@pytest.mark.parametrize("which", ["foreign", "missing", "malformed"])
async def test_an_invoice_not_of_the_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, which: str
) -> None:
    foreign = await make_invoice(globex.client)
    invoice_id = {"foreign": str(foreign.id), "missing": "777777", "malformed": "x1"}[which]
    payload = await void(graphql, acme, id=invoice_id)
    assert payload["errors"] == [
        {"code": "NOT_FOUND", "message": "No such invoice.", "field": "id"}
    ]
    assert (await Invoice.get(id=foreign.id)).status == InvoiceStatus.UNPAID
