"""Void rules, void with reset, and the re-issue that follows."""

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from billing.audit.actions import AuditAction
from billing.clients.eligibility import ChargeStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.invoices.void import void_invoice
from billing.periods import ServicePeriod
from billing.runs.lifecycle import RunStatus
from billing.runs.review import discard_invoice_run
from orm.models import (
    AuditEvent,
    Charge,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    Service,
    ServiceRebillPeriod,
)
from tests.support.builders import make_invoice
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

    # The schedule stays; the voided periods are put back for the next run.
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)
    assert await ServiceRebillPeriod.filter(service_id=service.id, line_id=None).count() == 2
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


async def void(invoice: Invoice, *, reset: bool) -> None:
    await void_invoice(
        tenant_id=invoice.tenant_id,
        user_id=None,
        invoice_id=invoice.id,
        reset_service_schedule=reset,
        reason=None,
    )


async def monthly_invoices(months: list[date]):
    """A client billed by one run per month for a monthly service from the first month on."""
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    service = await make_service(client, next_bill_date=months[0])
    invoices = []
    for month in months:
        run = await run_invoices(tenant, month.replace(day=5))
        invoices.append(await Invoice.get(run_id=run.id))
    return tenant, service, invoices


async def live_service_periods(service: Service) -> list[tuple[date, date]]:
    return list(
        await InvoiceLine.filter(service_id=service.id, live=True)
        .order_by("period_start")
        .values_list("period_start", "period_end")
    )


def no_day_billed_twice(periods: list[tuple[date, date]]) -> bool:
    return all(end < next_start for (_, end), (next_start, _) in pairwise(periods))


SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
AUTUMN = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]


async def test_a_reset_after_a_period_change_bills_only_the_voided_days_again(db: str) -> None:
    tenant, service, (september, _, _) = await monthly_invoices(AUTUMN)
    await service.refresh_from_db()
    service.period = ServicePeriod.QUARTERLY
    await service.save()

    await void(september, reset=True)
    await run_invoices(tenant, date(2026, 11, 20))

    periods = await live_service_periods(service)
    assert periods == [SEPTEMBER, OCTOBER, NOVEMBER]
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)


async def test_a_reset_after_an_anchor_change_never_bills_a_day_twice(db: str) -> None:
    tenant, service, (_, october, _) = await monthly_invoices(AUTUMN)
    service.anchor_day = 15
    service.next_bill_date = date(2026, 11, 15)  # a half-month the old anchor already billed
    await service.save()

    await void(october, reset=True)
    await run_invoices(tenant, date(2026, 11, 20))

    periods = await live_service_periods(service)
    assert no_day_billed_twice(periods)
    assert periods == [SEPTEMBER, OCTOBER, NOVEMBER]


async def test_a_period_written_off_stays_written_off_when_an_earlier_invoice_is_reset(
    db: str,
) -> None:
    tenant, service, (september, october, _) = await monthly_invoices(AUTUMN)

    await void(october, reset=False)
    await void(september, reset=True)
    await run_invoices(tenant, date(2026, 11, 20))

    assert await live_service_periods(service) == [SEPTEMBER, NOVEMBER]


async def imported_invoice(service: Service, *periods: tuple[date, date]) -> Invoice:
    """An invoice the import wrote (no run), one line per period of the service."""
    client = await service.client
    invoice = await make_invoice(client, "OLD-1", issued_on=periods[0][0], total="49.99")
    for position, (start, end) in enumerate(periods):
        await InvoiceLine.create(
            tenant_id=service.tenant_id,
            invoice=invoice,
            position=position,
            kind=InvoiceLineKind.SERVICE,
            description=service.description,
            quantity=Decimal(1),
            unit_price_cents=service.price_cents,
            amount_cents=service.price_cents,
            period_start=start,
            period_end=end,
            service=service,
        )
    return invoice


async def test_resetting_an_imported_invoice_bills_only_its_own_periods(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    service = await make_service(client, next_bill_date=date(2026, 12, 1))
    invoice = await imported_invoice(service, SEPTEMBER)

    await void(invoice, reset=True)
    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.status == RunStatus.COMPLETED
    assert await live_service_periods(service) == [SEPTEMBER]
    assert (await Service.get(id=service.id)).next_bill_date == date(2026, 12, 1)


async def test_resetting_a_years_old_imported_invoice_never_strands_the_client(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    service = await make_service(client, next_bill_date=date(2026, 11, 1))
    january_2015 = (date(2015, 1, 1), date(2015, 1, 31))
    invoice = await imported_invoice(service, january_2015)

    await void(invoice, reset=True)
    run = await run_invoices(tenant, date(2026, 11, 20))

    assert (run.status, run.invoices_issued) == (RunStatus.COMPLETED, 1)
    assert await live_service_periods(service) == [january_2015, NOVEMBER]
    later = await run_invoices(tenant, date(2026, 12, 5))
    assert (later.status, later.invoices_issued) == (RunStatus.COMPLETED, 1)


async def test_a_reset_leaves_a_cancelled_charge_cancelled(db: str) -> None:
    tenant, _, charge, invoice = await issue_one()
    await Charge.filter(id=charge.id).update(status=ChargeStatus.CANCELLED)

    await void(invoice, reset=True)

    assert (await Charge.get(id=charge.id)).status == ChargeStatus.CANCELLED
    await run_invoices(tenant, date(2026, 11, 20))
    assert not await InvoiceLine.filter(charge_id=charge.id, live=True).exists()


async def test_periods_put_back_are_put_back_again_when_the_review_run_is_discarded(
    db: str,
) -> None:
    tenant, service, (september, _, _) = await monthly_invoices(AUTUMN)
    await void(september, reset=True)

    review = await run_invoices(tenant, date(2026, 11, 20), review=True)
    assert await ServiceRebillPeriod.filter(service_id=service.id, line_id=None).count() == 0
    await discard_invoice_run(tenant_id=tenant.id, user_id=None, run_id=review.id)
    assert await ServiceRebillPeriod.filter(service_id=service.id, line_id=None).count() == 1
    await run_invoices(tenant, date(2026, 11, 20))

    assert await live_service_periods(service) == [SEPTEMBER, OCTOBER, NOVEMBER]
