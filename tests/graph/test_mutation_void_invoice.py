"""voidInvoice: an unpaid invoice becomes void; the void rules refuse the rest, changing nothing.
The reason stays internal; an idempotency key makes a repeated void harmless."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from billing.audit.actions import AuditAction
from billing.invoices.lifecycle import InvoiceStatus
from orm.models import AuditEvent, Invoice, Service, ServiceRebillPeriod
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


VOID_REASON_QUERY = """query($id: ID!) { invoice(id: $id) { status voidReason previewUrl } }"""


@pytest.mark.asyncio
async def test_the_void_reason_is_shown_to_users_and_the_audit_trail_but_not_the_customer(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team
) -> None:
    reason = "Customer disputes the router fee; legal is looking at it"
    invoice = await make_invoice(acme.client, "INV-0777")
    await void(graphql, acme, id=str(invoice.id), reason=reason)
    data = await graphql.data(VOID_REASON_QUERY, {"id": str(invoice.id)}, user=acme.viewer)
    assert (data["invoice"]["status"], data["invoice"]["voidReason"]) == ("VOID", reason)
    event = await AuditEvent.get(action=AuditAction.VOID, invoice_id=invoice.id)
    assert event.detail["reason"] == reason
    page = await api.get(data["invoice"]["previewUrl"])
    assert page.status_code == 200 and "INV-0777" in page.text
    assert "legal" not in page.text and "Void reason" not in page.text


@pytest.mark.asyncio
async def test_a_reason_of_more_than_1000_characters_is_refused_and_changes_nothing(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client)
    payload = await void(graphql, acme, id=str(invoice.id), reason="x" * 1001)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "reason")]
    assert "1,000" in payload["errors"][0]["message"]
    assert (await Invoice.get(id=invoice.id)).status == InvoiceStatus.UNPAID
    accepted = await void(graphql, acme, id=str(invoice.id), reason="x" * 1000)
    assert accepted["errors"] == []


@pytest.mark.asyncio
async def test_a_repeat_with_the_same_key_returns_the_voided_invoice_and_changes_nothing_more(
    graphql: GraphQLClient, acme: Team
) -> None:
    service = await make_service(acme.client, next_bill_date=date(2026, 12, 1))
    invoice = await make_invoice(acme.client)
    line = await add_line(invoice, period=(date(2026, 11, 1), date(2026, 11, 30)))
    line.service_id = service.id
    await line.save()
    request = {"id": str(invoice.id), "resetServiceSchedule": True, "idempotencyKey": "void-1"}
    first = await void(graphql, acme, **request)
    assert first["errors"] == []
    # Billed again meanwhile: a repeat must not move the schedule back a second time.
    await Service.filter(id=service.id).update(next_bill_date=date(2026, 12, 1))
    repeat = await void(graphql, acme, **request)
    assert repeat == first
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)
    assert await AuditEvent.filter(action=AuditAction.VOID).count() == 1


@pytest.mark.asyncio
async def test_the_same_key_with_another_input_is_refused_as_a_conflict(
    graphql: GraphQLClient, acme: Team
) -> None:
    first = await make_invoice(acme.client, "INV-0001")
    second = await make_invoice(acme.client, "INV-0002")
    await void(graphql, acme, id=str(first.id), idempotencyKey="void-1")
    payload = await void(graphql, acme, id=str(second.id), idempotencyKey="void-1")
    assert [error["code"] for error in payload["errors"]] == ["IDEMPOTENCY_CONFLICT"]
    assert (await Invoice.get(id=second.id)).status == InvoiceStatus.UNPAID


@pytest.mark.asyncio
async def test_concurrent_voids_with_the_same_key_void_once_and_both_answer_the_invoice(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client)
    request = {"id": str(invoice.id), "reason": "duplicate", "idempotencyKey": "void-1"}
    payloads = await asyncio.gather(*(void(graphql, acme, **request) for _ in range(5)))
    assert [payload["errors"] for payload in payloads] == [[]] * 5
    assert {payload["invoice"]["status"] for payload in payloads} == {"VOID"}
    assert await AuditEvent.filter(action=AuditAction.VOID).count() == 1
