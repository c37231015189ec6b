"""The demo data: valid, deterministic, importable, and as varied as a real ISP's books."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum.eu import vat as eu_vat

from billing.imports.demo_data import DEMO_TOKENS, demo_document, write_demo_file
from billing.imports.importer import import_document, load_import_file
from billing.imports.validation import validate_import
from billing.invoices.lifecycle import InvoiceStatus
from billing.periods import MONTHS_IN_PERIOD, ServicePeriod, add_months
from billing.tenants.settings import tax_id_problem
from orm.models import Client, Invoice, Service, Tenant, User
from tests.support.keys import TEST_SECRET_KEY

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def document() -> dict:
    return demo_document(400, today=TODAY)


def main_tenant(document: dict) -> dict:
    return document["tenants"][0]


def clients(document: dict) -> list[dict]:
    return main_tenant(document)["clients"]


def services(document: dict) -> list[dict]:
    return [service for client in clients(document) for service in client["services"]]


def invoices(document: dict) -> list[dict]:
    return [invoice for client in clients(document) for invoice in client["invoices"]]


def paid(invoice: dict) -> Decimal:
    return sum((Decimal(p["amount"]) for p in invoice["payments"]), Decimal(0))


def total(invoice: dict) -> Decimal:
    return sum((Decimal(line["amount"]) for line in invoice["lines"]), Decimal(0))


@pytest.mark.parametrize(("size", "seed"), [(0, 7), (1, 7), (15, 1), (200, 7), (1000, 99)])
def test_the_demo_document_is_valid(size: int, seed: int) -> None:
    assert validate_import(demo_document(size, seed=seed, today=TODAY)) == []


def test_the_same_arguments_give_the_same_document() -> None:
    assert demo_document(50, seed=3, today=TODAY) == demo_document(50, seed=3, today=TODAY)
    assert demo_document(50, seed=3, today=TODAY) != demo_document(50, seed=4, today=TODAY)


def test_the_main_tenant_is_northwind_fiber_with_its_settings(document: dict) -> None:
    tenant = main_tenant(document)
    settings = tenant["settings"]
    assert (tenant["key"], tenant["name"], tenant["currency"]) == (
        "northwind",
        "Northwind Fiber",
        "USD",
    )
    assert tenant["timezone"].startswith("America/")
    assert (settings["payment_terms_days"], settings["grace_period_days"]) == (14, 7)
    assert settings["billing_cycle_day"] is None
    assert (settings["auto_generate"], settings["auto_email"], settings["auto_charge"]) == (
        False,
        True,
        False,
    )
    assert (settings["mailbox"]["host"], settings["mailbox"]["port"]) == ("127.0.0.1", 1025)
    assert "@" in settings["mailbox"]["from_address"]
    assert len(clients(document)) == 400


def test_each_tenant_is_printed_with_its_legal_name_address_vat_number_and_how_to_pay(
    document: dict,
) -> None:
    for tenant in document["tenants"]:
        assert tenant["legal_name"].startswith(tenant["name"])
        assert "\n" in tenant["address"]
        assert tax_id_problem(tenant["tax_id"]) is None
        assert eu_vat.is_valid(tenant["tax_id"])
        assert tenant["settings"]["payment_instructions"]


def test_each_tenant_has_a_view_only_analyst_and_an_editor_with_fixed_tokens(
    document: dict,
) -> None:
    for tenant in document["tenants"]:
        users = {user["key"]: user for user in tenant["users"]}
        tokens = DEMO_TOKENS[tenant["key"]]
        assert (users["analyst"]["token"], users["analyst"]["permissions"]) == (
            tokens["analyst"],
            ["billing.view"],
        )
        assert (users["editor"]["token"], users["editor"]["permissions"]) == (
            tokens["editor"],
            ["billing.view", "billing.edit", "billing.settings"],
        )
    assert DEMO_TOKENS["northwind"] == {
        "analyst": "demo-analyst-token-northwind",
        "editor": "demo-editor-token-northwind",
    }


def test_a_small_second_tenant_shows_isolation(document: dict) -> None:
    second = document["tenants"][1]
    assert second["key"] != "northwind"
    assert 0 < len(second["clients"]) < len(clients(document)) / 10
    first_tokens = {user["token"] for user in main_tenant(document)["users"]}
    assert first_tokens.isdisjoint(user["token"] for user in second["users"])


def test_clients_are_mostly_active_with_every_other_status(document: dict) -> None:
    statuses = Counter(client["status"] for client in clients(document))
    assert set(statuses) == {"active", "overdue", "suspended", "inactive"}
    assert statuses["active"] > len(clients(document)) / 2


def test_a_few_clients_are_blocked_and_a_few_have_no_email(document: dict) -> None:
    count = len(clients(document))
    blocked = sum(client["blocked"] for client in clients(document))
    without_email = sum(client["email"] is None for client in clients(document))
    assert 0 < blocked < count / 10
    assert 0 < without_email < count / 10


def test_clients_have_one_to_three_services_of_every_period(document: dict) -> None:
    assert Counter(len(client["services"]) for client in clients(document)).keys() == {1, 2, 3}
    assert {service["period"] for service in services(document)} == {p.value for p in ServicePeriod}


def test_next_bill_dates_lie_around_today_some_several_periods_behind(document: dict) -> None:
    dates = [
        (date.fromisoformat(s["next_bill_date"]), ServicePeriod(s["period"]))
        for s in services(document)
    ]
    assert any(day > TODAY for day, _ in dates)
    assert any(day <= TODAY for day, _ in dates)
    behind = [
        day
        for day, period in dates
        if add_months(day, 2 * MONTHS_IN_PERIOD[period], day.day) <= TODAY
    ]
    assert behind
    assert all(abs(day - TODAY) < timedelta(days=5 * 366) for day, _ in dates)


def test_some_services_are_anchored_on_the_29th_to_31st(document: dict) -> None:
    days = {date.fromisoformat(s["next_bill_date"]).day for s in services(document)}
    assert days & {29, 30, 31}


def test_some_services_are_suspended_cancelled_or_not_billable(document: dict) -> None:
    assert {s["status"] for s in services(document)} == {"active", "suspended", "cancelled"}
    assert any(not s["billable"] for s in services(document))
    assert {s["auto_email"] for s in services(document)} == {None, True, False}


def test_pending_one_time_charges_some_future_dated(document: dict) -> None:
    charges = [charge for client in clients(document) for charge in client["charges"]]
    pending_dates = [
        date.fromisoformat(c["scheduled_on"]) for c in charges if c["status"] == "pending"
    ]
    assert any(day > TODAY for day in pending_dates)
    assert any(day <= TODAY for day in pending_dates)


def test_history_has_full_partial_and_no_payments_and_a_void_invoice(document: dict) -> None:
    live = [invoice for invoice in invoices(document) if invoice["status"] != "void"]
    assert any(paid(invoice) == total(invoice) for invoice in live)
    assert any(0 < paid(invoice) < total(invoice) for invoice in live)
    assert any(paid(invoice) == 0 for invoice in live)
    assert any(invoice["status"] == "void" for invoice in invoices(document))
    assert all(date.fromisoformat(invoice["issued_on"]) <= TODAY for invoice in invoices(document))


def test_the_demo_file_is_written_as_json_or_gzip(tmp_path: Path) -> None:
    expected = demo_document(30, seed=5, today=TODAY)
    for name in ("demo.json", "demo.json.gz"):
        write_demo_file(tmp_path / name, 30, 5, TODAY)
        assert load_import_file(tmp_path / name) == expected
    assert (tmp_path / "demo.json.gz").read_bytes()[:2] == b"\x1f\x8b"


@pytest.mark.asyncio
async def test_the_demo_document_imports_with_its_variety(db: str) -> None:
    document = demo_document(60, today=TODAY)

    summary = await import_document(document, signing_key=TEST_SECRET_KEY)

    northwind = await Tenant.get(key="northwind")
    assert summary.created("clients") == sum(len(t["clients"]) for t in document["tenants"])
    assert await Client.filter(tenant=northwind).count() == 60
    assert await Client.filter(tenant=northwind, blocked=True).exists()
    assert await Service.filter(tenant=northwind, anchor_day__gte=29).exists()
    statuses = set(await Invoice.filter(tenant=northwind).values_list("status", flat=True))
    assert statuses == {
        InvoiceStatus.PAID,
        InvoiceStatus.PARTIAL,
        InvoiceStatus.UNPAID,
        InvoiceStatus.VOID,
    }
    assert northwind.invoice_sequence == len(invoices(document))
    analyst = await User.get(tenant=northwind, key="analyst")
    assert analyst.permissions == ["billing.view"]
