"""Void rules, void with reset, and the re-issue that follows."""

from datetime import date

import pytest

from billing.errors import BillingRuleError, ErrorCode
from billing.void import void_invoice
from orm.models import AuditEvent, Charge, Invoice, InvoiceLine, Payment, PaymentAllocation, Service
from orm.models.enums import AuditAction, ChargeStatus, InvoiceStatus
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio


async def issue_one(next_bill_date: date = date(2026, 11, 1), run_date: date = date(2026, 11, 20)):
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    service = await make_service(client, next_bill_date=next_bill_date)
    charge = await make_charge(client)
    await run_invoices(tenant, run_date)
    invoice = await Invoice.get(client=client)
    return tenant, service, charge, invoice


async def pay(invoice: Invoice, cents: int) -> None:
    payment = await Payment.create(
        tenant_id=invoice.tenant_id,
        client_id=invoice.client_id,
        amount_cents=cents,
        currency="USD",
        paid_on=date(2026, 11, 21),
        method="cash",
    )
    await PaymentAllocation.create(
        tenant_id=invoice.tenant_id, payment=payment, invoice=invoice, amount_cents=cents
    )
    invoice.balance_cents -= cents
    invoice.status = InvoiceStatus.PAID if invoice.balance_cents == 0 else InvoiceStatus.PARTIAL
    await invoice.save()


async def refusal(tenant_id: int, invoice_id: int) -> BillingRuleError:
    with pytest.raises(BillingRuleError) as caught:
        await void_invoice(
            tenant_id=tenant_id,
            user_id=None,
            invoice_id=invoice_id,
            reset_service_schedule=True,
            reason=None,
        )
    return caught.value


async def test_void_keeps_the_number_zeroes_the_balance_and_is_audited(db: str) -> None:
    tenant, service, _, invoice = await issue_one()

    voided = await void_invoice(
        tenant_id=tenant.id,
        user_id=None,
        invoice_id=invoice.id,
        reset_service_schedule=False,
        reason="duplicate",
    )

    assert (voided.status, voided.balance_cents, voided.number) == (
        InvoiceStatus.VOID,
        0,
        "INV-000001",
    )
    assert voided.voided_at is not None and voided.void_reason == "duplicate"
    assert not await InvoiceLine.filter(invoice=invoice, live=True).exists()
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)
    assert await AuditEvent.filter(action=AuditAction.VOID, invoice_id=invoice.id).exists()


async def test_void_with_reset_reissues_the_same_periods_under_a_new_number(db: str) -> None:
    tenant, service, charge, invoice = await issue_one(next_bill_date=date(2026, 10, 1))

    await void_invoice(
        tenant_id=tenant.id,
        user_id=None,
        invoice_id=invoice.id,
        reset_service_schedule=True,
        reason=None,
    )

    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 10, 1)
    assert (await Charge.get(id=charge.id)).status == ChargeStatus.PENDING
    await run_invoices(tenant, date(2026, 11, 20))
    again = await Invoice.get(client_id=invoice.client_id, status=InvoiceStatus.UNPAID)
    assert again.number == "INV-000002"
    assert again.total_cents == invoice.total_cents
    old = (
        await InvoiceLine.filter(invoice=invoice)
        .order_by("position")
        .values_list("period_start", "amount_cents")
    )
    new = (
        await InvoiceLine.filter(invoice=again)
        .order_by("position")
        .values_list("period_start", "amount_cents")
    )
    assert old == new


async def test_reset_never_bills_a_period_a_later_live_invoice_covers(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    service = await make_service(client, next_bill_date=date(2026, 10, 1))
    await run_invoices(tenant, date(2026, 10, 5))
    october = await Invoice.get(client=client)
    await run_invoices(tenant, date(2026, 11, 5))

    await void_invoice(
        tenant_id=tenant.id,
        user_id=None,
        invoice_id=october.id,
        reset_service_schedule=True,
        reason=None,
    )
    await run_invoices(tenant, date(2026, 11, 20))

    live = await InvoiceLine.filter(service=service, live=True).order_by("period_start")
    assert [line.period_start for line in live] == [date(2026, 10, 1), date(2026, 11, 1)]
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)


@pytest.mark.parametrize(("paid_cents", "code"), [(500, ErrorCode.NOT_VOIDABLE)])
async def test_partly_paid_invoice_cannot_be_voided(
    db: str, paid_cents: int, code: ErrorCode
) -> None:
    tenant, _, _, invoice = await issue_one()
    await pay(invoice, paid_cents)

    assert (await refusal(tenant.id, invoice.id)).code == code
    assert (await Invoice.get(id=invoice.id)).status == InvoiceStatus.PARTIAL


async def test_paid_invoice_cannot_be_voided(db: str) -> None:
    tenant, _, _, invoice = await issue_one()
    await pay(invoice, invoice.total_cents)

    assert (await refusal(tenant.id, invoice.id)).code == ErrorCode.NOT_VOIDABLE


async def test_unpaid_invoice_with_an_allocation_cannot_be_voided(db: str) -> None:
    tenant, _, _, invoice = await issue_one()
    await pay(invoice, 0)
    invoice.status = InvoiceStatus.UNPAID
    await invoice.save()

    assert (await refusal(tenant.id, invoice.id)).code == ErrorCode.HAS_ALLOCATIONS


async def test_void_invoice_cannot_be_voided_again(db: str) -> None:
    tenant, _, _, invoice = await issue_one()
    await void_invoice(
        tenant_id=tenant.id,
        user_id=None,
        invoice_id=invoice.id,
        reset_service_schedule=False,
        reason=None,
    )

    assert (await refusal(tenant.id, invoice.id)).code == ErrorCode.ALREADY_VOID


async def test_another_tenants_invoice_is_not_found_and_unchanged(db: str) -> None:
    _, _, _, invoice = await issue_one()
    other = await make_tenant("other")

    assert (await refusal(other.id, invoice.id)).code == ErrorCode.NOT_FOUND
    assert (await Invoice.get(id=invoice.id)).status == InvoiceStatus.UNPAID
