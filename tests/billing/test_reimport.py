"""Importing a file again after the product billed from it: runs and voids keep what they did,
a change in the file is applied, and a change that undoes what live invoices bill is refused."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from billing.clients.eligibility import ChargeStatus
from billing.imports.importer import ImportRejected, import_document
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.void import void_invoice
from billing.runs.lifecycle import RunStatus
from orm.models import Charge, Invoice, InvoiceLine, Service, Tenant
from tests.support.keys import TEST_SECRET_KEY
from tests.support.runs import run_invoices

Document = dict[str, Any]
C0 = "tenants[0].clients[0]"


def isp_file() -> Document:
    """One tenant, one client with a monthly service from October and a router charge."""
    return {
        "tenants": [
            {
                "key": "isp",
                "name": "Hometown ISP",
                "currency": "USD",
                "timezone": "UTC",
                "settings": {
                    "payment_terms_days": 14,
                    "grace_period_days": 7,
                    "auto_generate": False,
                    "auto_email": False,
                    "auto_charge": False,
                    "invoice_number_prefix": "INV-",
                },
                "clients": [
                    {
                        "key": "c-1",
                        "name": "Jane Smith",
                        "services": [
                            {
                                "key": "s-1",
                                "description": "Fiber 500",
                                "price": "49.99",
                                "period": "monthly",
                                "next_bill_date": "2026-10-01",
                            }
                        ],
                        "charges": [
                            {
                                "key": "ch-1",
                                "description": "Router",
                                "amount": "89.00",
                                "scheduled_on": "2026-10-01",
                            }
                        ],
                    }
                ],
            }
        ]
    }


def client_of(document: Document) -> dict:
    return document["tenants"][0]["clients"][0]


async def billed_periods() -> list[date]:
    """The periods live invoices bill for the service, in order."""
    starts = await InvoiceLine.filter(live=True, service_id__not_isnull=True).values_list(
        "period_start", flat=True
    )
    return sorted(starts)


async def run_on(day: date) -> None:
    run = await run_invoices(await Tenant.get(key="isp"), day)
    assert run.status == RunStatus.COMPLETED
    assert run.errors_count == 0


async def void(invoice: Invoice, *, reset: bool) -> None:
    await void_invoice(
        tenant_id=invoice.tenant_id,
        user_id=None,
        invoice_id=invoice.id,
        reset_service_schedule=reset,
        reason=None,
    )


async def schedule_and_charge() -> tuple[date, ChargeStatus, int | None]:
    service = await Service.get(key="s-1")
    charge = await Charge.get(key="ch-1")
    return service.next_bill_date, charge.status, charge.invoice_id


@pytest.mark.asyncio
async def test_the_same_file_again_after_runs_and_a_void_changes_nothing(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    await run_on(date(2026, 10, 1))  # October and the router
    await run_on(date(2026, 11, 1))  # November
    november = await Invoice.get(period_start=date(2026, 11, 1))
    await void(november, reset=False)  # November is written off
    before = await schedule_and_charge()

    summary = await import_document(isp_file(), signing_key=TEST_SECRET_KEY)

    assert await schedule_and_charge() == before
    assert before[:2] == (date(2026, 12, 1), ChargeStatus.INVOICED)
    assert not summary.changed
    await run_on(date(2026, 12, 1))
    assert await billed_periods() == [date(2026, 10, 1), date(2026, 12, 1)]
    assert await Invoice.filter(lines__charge_id__not_isnull=True).count() == 1


@pytest.mark.asyncio
async def test_the_same_file_again_keeps_a_reset_schedule_and_pending_charge(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    await run_on(date(2026, 10, 1))
    october = await Invoice.get(period_start=date(2026, 10, 1))
    await void(october, reset=True)

    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)

    # The reset put October back to be billed again; the schedule itself stays past it.
    assert (await schedule_and_charge())[:2] == (date(2026, 11, 1), ChargeStatus.PENDING)
    await run_on(date(2026, 10, 1))
    assert await billed_periods() == [date(2026, 10, 1)]
    assert (await schedule_and_charge())[1] == ChargeStatus.INVOICED


@pytest.mark.asyncio
async def test_the_full_file_with_a_client_added_and_a_price_changed_imports(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    await run_on(date(2026, 10, 1))
    document = isp_file()
    client_of(document)["services"][0]["price"] = "54.99"
    newcomer = copy.deepcopy(client_of(document)) | {"key": "c-2", "name": "Bob Jones"}
    document["tenants"][0]["clients"].append(newcomer)

    summary = await import_document(document, signing_key=TEST_SECRET_KEY)

    assert summary.created("clients") == 1
    jane = await Service.get(key="s-1", client__key="c-1")
    assert (jane.price_cents, jane.next_bill_date) == (5499, date(2026, 11, 1))
    await run_on(date(2026, 11, 1))
    assert await Invoice.filter(client__key="c-2").count() == 1
    assert (await Charge.get(key="ch-1", client__key="c-2")).status == ChargeStatus.INVOICED


@pytest.mark.asyncio
async def test_a_file_moving_the_schedule_forward_is_applied(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    await run_on(date(2026, 10, 1))
    document = isp_file()
    client_of(document)["services"][0]["next_bill_date"] = "2027-01-15"

    await import_document(document, signing_key=TEST_SECRET_KEY)

    service = await Service.get(key="s-1")
    assert (service.next_bill_date, service.anchor_day) == (date(2027, 1, 15), 15)


@pytest.mark.asyncio
async def test_a_file_moving_the_schedule_back_over_a_live_invoice_is_refused(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    await run_on(date(2026, 11, 1))  # October and November
    document = isp_file()
    client_of(document)["services"][0]["next_bill_date"] = "2026-09-01"

    with pytest.raises(ImportRejected) as caught:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    assert caught.value.problems == [
        f"{C0}.services[0].next_bill_date: cannot move back to 2026-09-01 from 2026-12-01: "
        "invoice INV-000001 already bills 2026-10-01 to 2026-10-31 (void it with reset to bill "
        "it again)"
    ]
    assert (await Service.get(key="s-1")).next_bill_date == date(2026, 12, 1)


@pytest.mark.asyncio
async def test_a_file_cancelling_a_charge_a_live_invoice_bills_is_refused(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    await run_on(date(2026, 10, 1))
    document = isp_file()
    client_of(document)["charges"][0]["status"] = "cancelled"

    with pytest.raises(ImportRejected) as caught:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    assert caught.value.problems == [
        f'{C0}.charges[0].status: cannot become "cancelled": invoice INV-000001 bills the charge '
        "(void it with reset to bill it again)"
    ]


@pytest.mark.asyncio
async def test_a_file_cancelling_a_pending_charge_is_applied(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    document = isp_file()
    client_of(document)["charges"][0]["status"] = "cancelled"

    await import_document(document, signing_key=TEST_SECRET_KEY)

    assert (await Charge.get(key="ch-1")).status == ChargeStatus.CANCELLED


@pytest.mark.asyncio
async def test_the_currency_cannot_change_once_the_tenant_has_invoices(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    await run_on(date(2026, 10, 1))
    document = isp_file()
    # A currency with the same minor digits: the file's amounts stay valid in it.
    document["tenants"][0]["currency"] = "EUR"

    with pytest.raises(ImportRejected) as caught:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    assert caught.value.problems == [
        "tenants[0].currency: cannot change from USD to EUR: the tenant has invoices in USD"
    ]
    assert (await Tenant.get(key="isp")).currency == "USD"


@pytest.mark.asyncio
async def test_the_currency_may_change_before_any_invoice(db: str) -> None:
    await import_document(isp_file(), signing_key=TEST_SECRET_KEY)
    document = isp_file()
    document["tenants"][0]["currency"] = "EUR"

    await import_document(document, signing_key=TEST_SECRET_KEY)

    assert (await Tenant.get(key="isp")).currency == "EUR"


def with_history(document: Document, *lines: dict) -> Document:
    client_of(document)["invoices"] = [
        {"key": "old-1", "number": "OLD-1", "issued_on": "2026-09-01", "lines": list(lines)}
    ]
    return document


def service_line(start: str, end: str) -> dict:
    return {
        "description": "Fiber 500",
        "amount": "49.99",
        "period_start": start,
        "period_end": end,
        "service": "s-1",
    }


@pytest.mark.asyncio
async def test_an_imported_charge_line_is_linked_and_a_void_with_reset_makes_it_pending(
    db: str,
) -> None:
    document = isp_file()
    client_of(document)["charges"][0]["status"] = "invoiced"
    router = {"description": "Router", "amount": "89.00", "charge": "ch-1"}
    await import_document(with_history(document, router), signing_key=TEST_SECRET_KEY)
    imported = await Invoice.get(import_key="old-1")
    line = await InvoiceLine.get(invoice=imported)
    charge = await Charge.get(key="ch-1")
    assert (line.charge_id, charge.invoice_id) == (charge.id, imported.id)

    await void(imported, reset=True)
    await import_document(document, signing_key=TEST_SECRET_KEY)

    charge = await Charge.get(key="ch-1")
    assert (charge.status, charge.invoice_id) == (ChargeStatus.PENDING, None)
    await run_on(date(2026, 10, 1))
    assert (await Charge.get(key="ch-1")).status == ChargeStatus.INVOICED


@pytest.mark.asyncio
async def test_a_history_line_off_the_service_grid_is_refused(db: str) -> None:
    document = with_history(isp_file(), service_line("2026-09-10", "2026-09-30"))

    with pytest.raises(ImportRejected) as caught:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    assert caught.value.problems == [
        f"{C0}.invoices[0].lines[0].period_start: 2026-09-10 is off the service's billing grid: "
        "its periods start on day 1 of the month"
    ]


@pytest.mark.asyncio
async def test_a_history_line_reaching_into_the_next_period_is_refused(db: str) -> None:
    document = with_history(isp_file(), service_line("2026-09-01", "2026-10-15"))

    with pytest.raises(ImportRejected) as caught:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    assert caught.value.problems == [
        f"{C0}.invoices[0].lines[0].period_start: the period 2026-09-01 to 2026-10-15 overlaps "
        "what the service bills from its next bill date 2026-10-01: a line from then on must "
        "bill one whole monthly period of the schedule"
    ]


@pytest.mark.asyncio
async def test_a_history_line_billing_a_whole_next_period_is_billed_around(db: str) -> None:
    document = with_history(isp_file(), service_line("2026-10-01", "2026-10-31"))
    await import_document(document, signing_key=TEST_SECRET_KEY)

    await run_on(date(2026, 11, 1))

    assert await billed_periods() == [date(2026, 10, 1), date(2026, 11, 1)]
    assert await Invoice.filter(status=InvoiceStatus.UNPAID).count() == 2
