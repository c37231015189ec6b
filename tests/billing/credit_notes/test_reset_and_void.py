"""Credit notes that put periods back on the schedule, and voids of immutable invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.clients.eligibility import ChargeStatus
from billing.credit_notes.issue import CreditNoteRequest, LineAmount, issue_credit_note
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.invoices.void import void_invoice
from orm.models import Charge, CreditNote, Invoice, InvoiceLine
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio


async def issue_two_periods_and_a_charge(**tenant_settings: object):
    """An invoice billing October and November of a service, and a one-time charge."""
    tenant = await make_tenant(**tenant_settings)
    client = await make_client(tenant, "c-1")
    await make_service(client, next_bill_date=date(2026, 10, 1))
    charge = await make_charge(client)
    await run_invoices(tenant, date(2026, 11, 20))
    invoice = await Invoice.get(client=client)
    lines = await InvoiceLine.filter(invoice=invoice).order_by("position")
    return tenant, invoice, lines, charge


async def credit_with_reset(invoice: Invoice, chosen: tuple[LineAmount, ...]) -> CreditNote:
    return await issue_credit_note(
        tenant_id=invoice.tenant_id,
        user_id=None,
        request=CreditNoteRequest(
            invoice_id=invoice.id,
            reason="Billed in error",
            lines=chosen,
            settlement=CreditNoteSettlement.OFFSET,
            reset_service_schedule=True,
        ),
    )


async def service_lines_billed(tenant_id: int) -> list[tuple[date, int]]:
    return sorted(
        await InvoiceLine.filter(
            tenant_id=tenant_id, kind=InvoiceLineKind.SERVICE, live=True
        ).values_list("period_start", "invoice_id")
    )


async def test_a_reset_bills_exactly_the_credited_period_again_once(db: str) -> None:
    tenant, invoice, lines, charge = await issue_two_periods_and_a_charge()
    october = next(line for line in lines if line.period_start == date(2026, 10, 1))

    await credit_with_reset(invoice, (LineAmount(october.id, Decimal(october.amount_cents) / 100),))
    await run_invoices(tenant, date(2026, 11, 25))
    await run_invoices(tenant, date(2026, 11, 28))

    rebilled = await Invoice.filter(tenant_id=tenant.id).exclude(id=invoice.id)
    assert len(rebilled) == 1
    rebilled_lines = await InvoiceLine.filter(invoice=rebilled[0])
    assert [(line.period_start, line.amount_cents) for line in rebilled_lines] == [
        (date(2026, 10, 1), october.amount_cents)
    ]
    # November and the charge were not credited: they stay billed by the first invoice.
    assert (await Charge.get(id=charge.id)).status == ChargeStatus.INVOICED
    billed = await service_lines_billed(tenant.id)
    assert [period for period, _ in billed] == [date(2026, 10, 1), date(2026, 11, 1)]


async def test_a_reset_puts_a_credited_charge_back_to_pending(db: str) -> None:
    _, invoice, lines, charge = await issue_two_periods_and_a_charge()
    charge_line = next(line for line in lines if line.kind == InvoiceLineKind.ONE_TIME_CHARGE)

    await credit_with_reset(
        invoice, (LineAmount(charge_line.id, Decimal(charge_line.amount_cents) / 100),)
    )

    charge = await Charge.get(id=charge.id)
    assert (charge.status, charge.invoice_id) == (ChargeStatus.PENDING, None)


async def test_a_reset_needs_each_credited_line_credited_in_full(db: str) -> None:
    _, invoice, lines, _ = await issue_two_periods_and_a_charge()

    with pytest.raises(BillingRuleError) as refusal:
        await credit_with_reset(invoice, (LineAmount(lines[0].id, Decimal("1.00")),))

    assert (refusal.value.code, refusal.value.field) == (
        ErrorCode.INVALID_INPUT,
        "resetServiceSchedule",
    )
    assert await CreditNote.all().count() == 0
    assert await InvoiceLine.filter(invoice=invoice, live=False).count() == 0


async def void_keeping_the_schedule(invoice: Invoice, reason: str | None = None) -> Invoice:
    """Void the invoice as the system would, leaving its periods and charges billed."""
    return await void_invoice(
        tenant_id=invoice.tenant_id,
        user_id=None,
        invoice_id=invoice.id,
        reset_service_schedule=False,
        reason=reason,
    )


async def test_voiding_an_immutable_invoice_issues_a_full_offset_credit_note(db: str) -> None:
    _, invoice, _, _ = await issue_two_periods_and_a_charge(issued_invoices_immutable=True)

    voided = await void_keeping_the_schedule(invoice, reason="Wrong client")

    note = await CreditNote.get(invoice_id=invoice.id)
    assert (note.settlement, note.total_cents) == (CreditNoteSettlement.OFFSET, invoice.total_cents)
    assert (voided.status, voided.balance_cents) == (InvoiceStatus.VOID, 0)
    assert (await Invoice.get(id=invoice.id)).credited_cents == invoice.total_cents


async def test_voiding_where_invoices_may_change_issues_no_credit_note(db: str) -> None:
    _, invoice, _, _ = await issue_two_periods_and_a_charge()

    await void_keeping_the_schedule(invoice)

    assert await CreditNote.all().count() == 0


async def test_an_immutable_invoice_keeps_the_void_rules_and_issues_nothing_refused(
    db: str,
) -> None:
    _, invoice, _, _ = await issue_two_periods_and_a_charge(issued_invoices_immutable=True)
    await Invoice.filter(id=invoice.id).update(
        status=InvoiceStatus.PARTIAL, balance_cents=invoice.total_cents - 100
    )

    with pytest.raises(BillingRuleError) as refusal:
        await void_keeping_the_schedule(invoice)

    assert refusal.value.code == ErrorCode.NOT_VOIDABLE
    assert await CreditNote.all().count() == 0
