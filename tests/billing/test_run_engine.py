"""The run engine end to end on the database: selection, one invoice per client, numbering."""

from datetime import date

import pytest

from orm.models import Charge, Invoice, InvoiceLine, Service
from orm.models.enums import ChargeStatus, ClientStatus, InvoiceStatus, RunStatus, ServiceStatus
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio


async def test_run_bills_each_due_client_once_with_every_due_period_and_charge(db: str) -> None:
    tenant = await make_tenant()
    behind = await make_client(tenant, "c-1")
    await make_service(behind, next_bill_date=date(2026, 9, 1))
    await make_charge(behind, scheduled_on=date(2026, 11, 10))
    current = await make_client(tenant, "c-2")
    await make_service(current, price="10.00", next_bill_date=date(2026, 11, 15))

    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.status == RunStatus.COMPLETED
    assert (run.clients_total, run.clients_processed, run.invoices_issued) == (2, 2, 2)
    assert run.amount_issued_cents == 3 * 4999 + 8900 + 1000
    first = await Invoice.get(client=behind)
    assert first.number == "INV-000001"
    assert first.status == InvoiceStatus.UNPAID
    assert (first.total_cents, first.balance_cents) == (3 * 4999 + 8900, 3 * 4999 + 8900)
    assert (first.period_start, first.period_end) == (date(2026, 9, 1), date(2026, 11, 30))
    assert (first.due_on, first.grace_until) == (date(2026, 12, 4), date(2026, 12, 11))
    assert await InvoiceLine.filter(invoice=first).count() == 4
    assert (await Service.get(client=behind)).next_bill_date == date(2026, 12, 1)
    charge = await Charge.get(client=behind)
    assert (charge.status, charge.invoice_id) == (ChargeStatus.INVOICED, first.id)
    assert (await Invoice.get(client=current)).number == "INV-000002"


async def test_second_run_on_the_same_date_issues_nothing_new(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    await make_service(client)
    await make_charge(client)
    await run_invoices(tenant, date(2026, 11, 20))

    again = await run_invoices(tenant, date(2026, 11, 20))

    assert again.invoices_issued == 0
    assert await Invoice.all().count() == 1


@pytest.mark.parametrize(
    ("client_status", "blocked", "billed"),
    [
        (ClientStatus.ACTIVE, False, True),
        (ClientStatus.OVERDUE, False, True),
        (ClientStatus.SUSPENDED, False, False),
        (ClientStatus.INACTIVE, False, False),
        (ClientStatus.ACTIVE, True, False),
        (ClientStatus.OVERDUE, True, False),
    ],
)
async def test_only_active_or_overdue_clients_that_are_not_blocked_are_billed(
    db: str, client_status: ClientStatus, blocked: bool, billed: bool
) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1", status=client_status, blocked=blocked)
    await make_service(client)

    await run_invoices(tenant, date(2026, 11, 20))

    assert await Invoice.filter(client=client).exists() is billed


@pytest.mark.parametrize(
    ("status", "billable", "next_bill_date", "billed"),
    [
        (ServiceStatus.ACTIVE, True, date(2026, 11, 20), True),
        (ServiceStatus.ACTIVE, True, date(2026, 11, 21), False),
        (ServiceStatus.ACTIVE, False, date(2026, 11, 1), False),
        (ServiceStatus.SUSPENDED, True, date(2026, 11, 1), False),
        (ServiceStatus.CANCELLED, True, date(2026, 11, 1), False),
    ],
)
async def test_only_active_billable_services_due_on_or_before_the_date_are_billed(
    db: str, status: ServiceStatus, billable: bool, next_bill_date: date, billed: bool
) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    await make_service(client, status=status, billable=billable, next_bill_date=next_bill_date)

    await run_invoices(tenant, date(2026, 11, 20))

    assert await Invoice.filter(client=client).exists() is billed


@pytest.mark.parametrize(
    ("scheduled_on", "billed"), [(date(2026, 11, 20), True), (date(2026, 11, 21), False)]
)
async def test_pending_charges_scheduled_up_to_the_date_are_billed(
    db: str, scheduled_on: date, billed: bool
) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    charge = await make_charge(client, scheduled_on=scheduled_on)

    await run_invoices(tenant, date(2026, 11, 20))

    assert await Invoice.filter(client=client).exists() is billed
    await charge.refresh_from_db()
    assert charge.status == (ChargeStatus.INVOICED if billed else ChargeStatus.PENDING)


async def test_cancelled_charges_are_not_billed(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    charge = await make_charge(client)
    charge.status = ChargeStatus.CANCELLED
    await charge.save()

    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.invoices_issued == 0


async def test_single_client_mode_bills_that_client_only(db: str) -> None:
    tenant = await make_tenant()
    chosen = await make_client(tenant, "c-1")
    other = await make_client(tenant, "c-2")
    await make_service(chosen)
    await make_service(other)

    run = await run_invoices(tenant, date(2026, 11, 20), client_id=chosen.id)

    assert run.clients_total == 1
    assert await Invoice.filter(client=chosen).exists()
    assert not await Invoice.filter(client=other).exists()


async def test_zero_total_invoice_is_issued_paid_and_not_emailed(db: str) -> None:
    tenant = await make_tenant(auto_email=True)
    client = await make_client(tenant, "c-1")
    await make_service(client, price="0.00")

    await run_invoices(tenant, date(2026, 11, 20))

    invoice = await Invoice.get(client=client)
    assert invoice.number == "INV-000001"
    assert (invoice.status, invoice.balance_cents, invoice.auto_email) == (
        InvoiceStatus.PAID,
        0,
        False,
    )


async def test_broken_client_data_is_a_preflight_error_and_others_are_still_billed(db: str) -> None:
    tenant = await make_tenant()
    broken = await make_client(tenant, "c-1", name="Broken Data Ltd")
    await make_service(broken, quantity="0")
    fine = await make_client(tenant, "c-2")
    await make_service(fine)

    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    errors = await run.errors.all()
    assert [(e.stage.value, e.client_id) for e in errors] == [("preflight", broken.id)]
    assert "quantity" in errors[0].message
    assert not await Invoice.filter(client=broken).exists()
    assert await Invoice.filter(client=fine).exists()


async def test_invalid_tenant_settings_fail_the_run_before_billing(db: str) -> None:
    tenant = await make_tenant(timezone="Mars/Olympus_Mons")
    client = await make_client(tenant, "c-1")
    await make_service(client)

    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.status == RunStatus.FAILED
    assert "timezone" in (await run.errors.all())[0].message
    assert not await Invoice.exists()


async def test_due_and_grace_dates_are_kept_when_terms_change_later(db: str) -> None:
    tenant = await make_tenant(payment_terms_days=10, grace_period_days=5)
    client = await make_client(tenant, "c-1")
    await make_service(client)
    await run_invoices(tenant, date(2026, 11, 20))

    tenant.payment_terms_days = 30
    await tenant.save()

    invoice = await Invoice.get(client=client)
    assert (invoice.due_on, invoice.grace_until) == (date(2026, 11, 30), date(2026, 12, 5))
