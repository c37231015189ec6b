"""The run engine end to end on the database: selection, one invoice per client, numbering."""

import sqlite3
from datetime import date

import asyncpg
import pytest
from tortoise.exceptions import IntegrityError, OperationalError, ValidationError

from billing.clients.eligibility import ChargeStatus, ClientStatus, ServiceStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.numbering import LAST_SEQUENCE, NUMBERS_USED_UP
from billing.runs.engine import abandon_chunk, bill_chunk, open_run, retrying_can_mend
from billing.runs.lifecycle import RunErrorStage, RunStatus
from billing.runs.planning import plan_invoice_run, start_invoice_run
from orm.db import connection
from orm.models import Charge, Invoice, InvoiceLine, InvoiceRun, Service, Tenant
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
    await make_service(await make_client(tenant, "c-0"))  # billed since November 1
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
    await make_service(await make_client(tenant, "c-0"))  # billed since November 1
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


# 250 characters: near the longest a service's description can be (255).
LONG_SERVICE_DESCRIPTION = ("Fibre 1000/1000, static IPv4 block, managed router; " * 5)[:250]


async def test_a_line_holds_the_longest_service_description_and_its_period(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    service = await make_service(client)
    service.description = LONG_SERVICE_DESCRIPTION
    await service.save()

    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.status == RunStatus.COMPLETED
    line = await InvoiceLine.get(service_id=service.id)
    assert line.description == f"{service.description} (2026-11-01 – 2026-11-30)"


@pytest.mark.postgres_only
async def test_a_value_too_long_for_its_column_is_the_clients_error_and_the_run_ends(
    db: str,
) -> None:
    tenant = await make_tenant()
    long = await make_client(tenant, "c-1", name="Long Description Ltd")
    service = await make_service(long)
    service.description = "y" * 60
    await service.save()
    fine = await make_client(tenant, "c-2")
    await make_service(fine)
    conn = connection()
    # A column narrower than one client's line: the database refuses that client's invoice on
    # every attempt, as a varchar(255) did with a 230-character description.
    await conn.execute_script("ALTER TABLE invoice_lines ALTER COLUMN description TYPE varchar(60)")
    try:
        run = await run_invoices(tenant, date(2026, 11, 20))
    finally:
        await conn.execute_script("ALTER TABLE invoice_lines ALTER COLUMN description TYPE text")

    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    errors = await run.errors.all()
    assert [(e.stage, e.client_id) for e in errors] == [(RunErrorStage.RUNTIME, long.id)]
    assert not await Invoice.filter(client=long).exists()
    assert (await Invoice.get(client=fine)).number == "INV-000001"


async def test_a_sequence_at_its_limit_numbers_what_it_can_and_the_run_ends(db: str) -> None:
    tenant = await make_tenant(invoice_sequence=LAST_SEQUENCE - 1)
    first = await make_client(tenant, "c-1")
    await make_service(first)
    second = await make_client(tenant, "c-2")
    await make_service(second)

    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    assert (await Invoice.get(client=first)).number == f"INV-{LAST_SEQUENCE}"
    assert not await Invoice.filter(client=second).exists()
    errors = await run.errors.all()
    assert [(e.stage, e.client_id) for e in errors] == [(RunErrorStage.RUNTIME, second.id)]
    assert "used up" in errors[0].message
    assert (await Tenant.get(id=tenant.id)).invoice_sequence == LAST_SEQUENCE


async def test_a_run_of_a_tenant_whose_numbers_are_used_up_fails_before_billing(db: str) -> None:
    tenant = await make_tenant(invoice_sequence=LAST_SEQUENCE)
    client = await make_client(tenant, "c-1")
    await make_service(client)

    run = await run_invoices(tenant, date(2026, 11, 20))

    assert run.status == RunStatus.FAILED
    assert [e.message for e in await run.errors.all()] == [NUMBERS_USED_UP]
    assert (await Service.get(client=client)).next_bill_date == date(2026, 11, 1)


async def test_a_chunk_abandoned_after_its_retries_ends_the_run_naming_its_clients(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    billed = await make_client(tenant, "c-1")
    await make_service(billed)
    stuck = [await make_client(tenant, f"c-{n}") for n in (2, 3)]
    for client in stuck:
        await make_service(client)
    run = await start_invoice_run(
        tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
    )
    chunk_ids = await open_run(run.id, 1)
    await bill_chunk(chunk_ids[0])
    for chunk_id in chunk_ids[1:]:
        await abandon_chunk(chunk_id, "3 attempts failed")

    run = await InvoiceRun.get(id=run.id)
    assert run.status == RunStatus.COMPLETED_WITH_ERRORS
    assert (run.chunks_done, run.clients_processed, run.invoices_issued) == (3, 3, 1)
    errors = await run.errors.all().order_by("client_id")
    assert [e.client_id for e in errors] == [client.id for client in stuck]
    assert all("3 attempts failed" in e.message for e in errors)
    assert (await abandon_chunk(chunk_ids[1], "again")).newly_done is False


def wrapped(driver_error: BaseException) -> OperationalError:
    """A driver error as the ORM raises it."""
    try:
        raise OperationalError(driver_error) from driver_error
    except OperationalError as exc:
        return exc


@pytest.mark.parametrize(
    ("failure", "mendable"),
    [
        (wrapped(asyncpg.exceptions.StringDataRightTruncationError("value too long")), False),
        (wrapped(asyncpg.exceptions.NumericValueOutOfRangeError("bigint out of range")), False),
        (IntegrityError("duplicate key"), False),
        (ValidationError("bad value"), False),
        (KeyError("bug"), False),
        (asyncpg.exceptions._base.DataError("invalid input for query argument"), False),
        (ConnectionResetError("connection reset by peer"), True),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"), True),
        (asyncpg.exceptions.SerializationError("could not serialize access"), True),
        (asyncpg.exceptions.DeadlockDetectedError("deadlock detected"), True),
        (wrapped(sqlite3.OperationalError("database is locked")), True),
        (wrapped(sqlite3.OperationalError("no such column: x")), False),
    ],
)
async def test_only_failures_a_retry_can_get_past_are_retried(
    failure: BaseException, mendable: bool
) -> None:
    assert retrying_can_mend(failure) is mendable


TODAY = date(2026, 11, 20)


async def start_on(tenant: Tenant, billing_date: date) -> InvoiceRun:
    return await start_invoice_run(
        tenant, user_id=None, billing_date=billing_date, client_id=None, review=None, today=TODAY
    )


async def test_a_run_more_than_a_month_ahead_of_today_is_refused_and_nothing_written(
    db: str,
) -> None:
    tenant = await make_tenant()
    await make_service(await make_client(tenant, "c-1"))

    with pytest.raises(BillingRuleError) as refused:
        await start_on(tenant, date(2036, 11, 20))

    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "billingDate")
    assert "more than a month ahead" in refused.value.message
    assert "2026-12-20 or earlier" in refused.value.message
    assert not await InvoiceRun.exists()
    assert (await start_on(tenant, date(2026, 12, 20))).billing_date == date(2026, 12, 20)


async def test_a_plan_more_than_a_month_ahead_is_refused(db: str) -> None:
    tenant = await make_tenant()

    with pytest.raises(BillingRuleError) as refused:
        await plan_invoice_run(tenant, billing_date=date(2026, 12, 21), client_id=None, today=TODAY)

    assert refused.value.code == ErrorCode.INVALID_INPUT


async def test_a_run_before_the_tenants_first_service_day_is_refused(db: str) -> None:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    await make_service(client, next_bill_date=date(2026, 10, 1))
    await make_charge(client, scheduled_on=date(2026, 9, 15))

    with pytest.raises(BillingRuleError) as refused:
        await start_on(tenant, date(2026, 9, 14))

    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert "first service day (2026-09-15)" in refused.value.message
    assert (await start_on(tenant, date(2026, 9, 15))).billing_date == date(2026, 9, 15)


async def test_a_locked_cycle_date_is_never_refused_for_its_bounds(db: str) -> None:
    tenant = await make_tenant(billing_cycle_day=5)
    await make_service(await make_client(tenant, "c-1"), next_bill_date=date(2027, 1, 5))

    plan = await plan_invoice_run(tenant, billing_date=None, client_id=None, today=TODAY)

    assert plan.dates.run_date == date(2026, 12, 5)


@pytest.mark.parametrize("review", [False, True])
async def test_a_chunk_reports_how_long_it_held_the_invoice_numbers_when_it_took_any(
    db: str, review: bool
) -> None:
    tenant = await make_tenant()
    await make_service(await make_client(tenant, "c-1"))
    nothing_due = await make_client(tenant, "c-2")
    await make_service(nothing_due, next_bill_date=date(2027, 1, 1))
    run = await start_invoice_run(
        tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=review
    )
    billed_chunk, empty_chunk = await open_run(run.id, 1)

    billed = await bill_chunk(billed_chunk)
    empty = await bill_chunk(empty_chunk)

    if review:  # drafts take their numbers at finalize
        assert billed.numbering_hold_seconds is None
    else:
        assert billed.numbering_wait_seconds is not None and billed.numbering_wait_seconds >= 0
        assert billed.numbering_hold_seconds is not None and billed.numbering_hold_seconds > 0
    assert (empty.numbering_wait_seconds, empty.numbering_hold_seconds) == (None, None)
    assert (await bill_chunk(billed_chunk)).numbering_hold_seconds is None  # already done
