"""The data import: what it writes, upsert by key, `path: message` validation, all or nothing."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing.clients.eligibility import ChargeStatus, ClientStatus
from billing.imports.importer import MIB, ImportRejected, import_document, load_import_file
from billing.imports.validation import validate_import
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.payments.balances import credit_balances
from billing.tokens import hash_token
from ispbox.config import get_settings
from orm.db import connection
from orm.models import (
    Charge,
    Client,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    Service,
    Tenant,
    User,
)
from tests.support.database import TABLES
from tests.support.keys import TEST_SECRET_KEY

Document = dict[str, Any]
C0 = "tenants[0].clients[0]"


def line(amount: str, start: str | None, end: str | None, service: str | None = "s-1") -> dict:
    return {
        "description": f"Line of {amount}",
        "amount": amount,
        "period_start": start,
        "period_end": end,
        "service": service,
    }


def payment(amount: str, paid_on: str = "2026-09-05", method: str = "cash") -> dict:
    return {"amount": amount, "paid_on": paid_on, "method": method}


def invoice(key: str, number: str | None, lines: list, payments: list, **fields: Any) -> dict:
    record = {"key": key, "number": number, "issued_on": "2026-09-01", "lines": lines}
    record |= {"payments": payments, "status": None, "emailed_at": None}
    return record | fields


def sample_document() -> Document:
    """Two tenants; Acme's first client has every kind of record and invoice history."""
    return {
        "tenants": [
            {
                "key": "acme",
                "name": "Acme Fiber",
                "currency": "USD",
                "timezone": "America/Chicago",
                "settings": {
                    "payment_terms_days": 14,
                    "grace_period_days": 7,
                    "billing_cycle_day": None,
                    "auto_generate": False,
                    "auto_email": True,
                    "auto_charge": False,
                    "review_runs": False,
                    "invoice_number_prefix": "INV-",
                    "mailbox": {
                        "host": "127.0.0.1",
                        "port": 1025,
                        "username": None,
                        "password": None,
                        "starttls": False,
                        "from_address": "billing@acme.example",
                    },
                },
                "users": [
                    {
                        "key": "ana",
                        "name": "Ana Analyst",
                        "token": "ana-secret-token-0123456789",
                        "permissions": ["billing.view"],
                    },
                    {
                        "key": "bo",
                        "name": "Bo Billing",
                        "token": "bo-secret-token-0123456789",
                        "permissions": ["billing.view", "billing.edit"],
                    },
                ],
                "clients": [
                    {
                        "key": "c-1",
                        "name": "Jane Smith",
                        "email": "jane@example.com",
                        "status": "overdue",
                        "blocked": True,
                        "stripe_customer_id": None,
                        "stripe_payment_method_id": None,
                        "services": [
                            {
                                "key": "s-1",
                                "description": "Fiber 500",
                                "price": "49.99",
                                "quantity": "1",
                                "period": "monthly",
                                "next_bill_date": "2026-12-01",
                                "status": "active",
                                "billable": True,
                                "auto_email": None,
                            },
                            {
                                "key": "s-2",
                                "description": "Static IP",
                                "price": "5.00",
                                "quantity": "2.5",
                                "period": "quarterly",
                                "next_bill_date": "2027-01-31",
                                "status": "suspended",
                                "billable": False,
                                "auto_email": True,
                            },
                        ],
                        "charges": [
                            {
                                "key": "ch-1",
                                "description": "Router",
                                "amount": "89.00",
                                "scheduled_on": "2026-11-10",
                                "status": "pending",
                            }
                        ],
                        "invoices": [
                            invoice(
                                "paid-1",
                                "INV-000041",
                                [line("49.99", "2026-09-01", "2026-09-30")],
                                [payment("20.00"), payment("29.99", "2026-09-20", "card")],
                                emailed_at="2026-09-01T14:05:00+00:00",
                            ),
                            invoice(
                                "partial-1",
                                "OLD-77",
                                [
                                    line("49.99", "2026-10-01", "2026-10-31"),
                                    line("10.00", None, None, service=None),
                                ],
                                [payment("20.00")],
                            ),
                            invoice(
                                "unpaid-1", "INV-9", [line("49.99", "2026-11-01", "2026-11-30")], []
                            ),
                            invoice(
                                "void-1",
                                "INV-000099X",
                                [line("49.99", "2026-11-01", "2026-11-30")],
                                [],
                                status="void",
                            ),
                        ],
                    },
                    {"key": "c-2", "name": "Bob Jones"},
                ],
            },
            {
                "key": "other",
                "name": "Other ISP",
                "currency": "EUR",
                "timezone": "Europe/Berlin",
                "settings": {
                    "payment_terms_days": 30,
                    "grace_period_days": 0,
                    "billing_cycle_day": 15,
                    "auto_generate": True,
                    "auto_email": False,
                    "auto_charge": False,
                    "invoice_number_prefix": "O-",
                    "mailbox": None,
                },
                "users": [],
                "clients": [
                    {
                        "key": "c-1",
                        "name": "Same Key Elsewhere",
                        "invoices": [
                            invoice("x", "INV-000041", [line("1.00", None, None, None)], [])
                        ],
                    }
                ],
            },
        ]
    }


def acme_client(document: Document) -> dict:
    return document["tenants"][0]["clients"][0]


async def table_snapshot() -> dict[str, list[dict]]:
    """Every row of every table, in the order of its first column (its key)."""
    conn = connection()
    return {
        table: await conn.execute_query_dict(f"SELECT * FROM {table} ORDER BY 1")
        for table in TABLES
    }


async def table_counts() -> dict[str, int]:
    conn = connection()
    counts = {}
    for table in TABLES:
        rows = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
        counts[table] = rows[0]["n"]
    return counts


async def rejection(document: Document) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        await import_document(document, signing_key=TEST_SECRET_KEY)
    return caught.value.problems


# What a valid import writes.


@pytest.mark.asyncio
async def test_import_creates_tenants_users_clients_services_and_charges(db: str) -> None:
    summary = await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    assert (summary.created("tenants"), summary.created("clients")) == (2, 3)
    assert (summary.created("services"), summary.created("invoices")) == (2, 5)
    acme = await Tenant.get(key="acme")
    assert (acme.currency, acme.timezone, acme.auto_email, acme.mailbox_port) == (
        "USD",
        "America/Chicago",
        True,
        1025,
    )
    other = await Tenant.get(key="other")
    assert (other.billing_cycle_day, other.review_runs, other.mailbox_host) == (15, False, None)
    bo = await User.get(tenant=acme, key="bo")
    assert bo.token_hash == hash_token("bo-secret-token-0123456789", get_settings().signing_key)
    assert bo.permissions == ["billing.view", "billing.edit"]
    jane = await Client.get(tenant=acme, key="c-1")
    assert (jane.status, jane.blocked) == (ClientStatus.OVERDUE, True)
    bob = await Client.get(tenant=acme, key="c-2")
    assert (bob.status, bob.blocked, bob.email) == (ClientStatus.ACTIVE, False, None)


@pytest.mark.asyncio
async def test_services_store_cents_quantity_and_the_anchor_day_of_their_next_bill_date(
    db: str,
) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    fiber = await Service.get(key="s-1")
    static_ip = await Service.get(key="s-2")
    assert (fiber.price_cents, fiber.anchor_day, fiber.next_bill_date) == (
        4999,
        1,
        date(2026, 12, 1),
    )
    assert (static_ip.price_cents, static_ip.quantity, static_ip.anchor_day) == (
        500,
        Decimal("2.5"),
        31,
    )
    assert (static_ip.billable, static_ip.auto_email, fiber.auto_email) == (False, True, None)
    router = await Charge.get(key="ch-1")
    assert (router.amount_cents, router.status, router.invoice_id) == (
        8900,
        ChargeStatus.PENDING,
        None,
    )


@pytest.mark.asyncio
async def test_imported_invoices_take_status_and_balance_from_their_payments(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    acme = await Tenant.get(key="acme")
    by_key = {i.import_key: i for i in await Invoice.filter(tenant=acme)}
    expected = {
        "paid-1": (InvoiceStatus.PAID, 4999, 0),
        "partial-1": (InvoiceStatus.PARTIAL, 5999, 3999),
        "unpaid-1": (InvoiceStatus.UNPAID, 4999, 4999),
        "void-1": (InvoiceStatus.VOID, 4999, 0),
    }
    for key, (status, total, balance) in expected.items():
        assert (by_key[key].status, by_key[key].total_cents, by_key[key].balance_cents) == (
            status,
            total,
            balance,
        ), key
    paid = by_key["paid-1"]
    assert (paid.number, paid.currency, paid.run_id, paid.auto_email) == (
        "INV-000041",
        "USD",
        None,
        False,
    )
    assert (paid.issued_on, paid.due_on, paid.grace_until) == (
        date(2026, 9, 1),
        date(2026, 9, 15),
        date(2026, 9, 22),
    )
    assert paid.emailed_at == datetime(2026, 9, 1, 14, 5, tzinfo=UTC)
    assert by_key["unpaid-1"].emailed_at is None


@pytest.mark.asyncio
async def test_invoice_lines_name_their_service_or_are_one_time_charges(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    partial = await Invoice.get(import_key="partial-1", tenant__key="acme")
    lines = await InvoiceLine.filter(invoice=partial).order_by("position")
    service = await Service.get(key="s-1")
    assert [(x.kind, x.service_id, x.amount_cents, x.unit_price_cents) for x in lines] == [
        (InvoiceLineKind.SERVICE, service.id, 4999, 4999),
        (InvoiceLineKind.ONE_TIME_CHARGE, None, 1000, 1000),
    ]
    assert [x.quantity for x in lines] == [Decimal(1), Decimal(1)]
    assert all(x.live for x in lines)
    assert (partial.period_start, partial.period_end) == (date(2026, 10, 1), date(2026, 10, 31))


@pytest.mark.asyncio
async def test_a_void_invoice_has_no_balance_a_void_time_and_no_live_lines(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    void = await Invoice.get(import_key="void-1")
    assert (void.status, void.balance_cents) == (InvoiceStatus.VOID, 0)
    assert void.voided_at is not None
    assert [x.live for x in await InvoiceLine.filter(invoice=void)] == [False]


@pytest.mark.asyncio
async def test_each_payment_is_allocated_in_full_to_its_invoice(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    paid = await Invoice.get(import_key="paid-1")
    payments = await Payment.filter(client_id=paid.client_id).order_by("id")
    assert [(p.import_key, p.amount_cents, p.method, p.currency) for p in payments] == [
        ("paid-1#1", 2000, "cash", "USD"),
        ("paid-1#2", 2999, "card", "USD"),
        ("partial-1#1", 2000, "cash", "USD"),
    ]
    allocations = await PaymentAllocation.filter(invoice=paid).order_by("payment_id")
    assert [(a.payment_id, a.amount_cents) for a in allocations] == [
        (payments[0].id, 2000),
        (payments[1].id, 2999),
    ]


@pytest.mark.asyncio
async def test_the_invoice_sequence_is_raised_past_imported_numbers(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    # INV-000041 counts; OLD-77 has another prefix and INV-000099X is not prefix + digits.
    assert (await Tenant.get(key="acme")).invoice_sequence == 41
    assert (await Tenant.get(key="other")).invoice_sequence == 0


@pytest.mark.asyncio
async def test_the_invoice_sequence_is_never_lowered(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    await Tenant.filter(key="acme").update(invoice_sequence=500)

    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    assert (await Tenant.get(key="acme")).invoice_sequence == 500


# Upsert by key.


@pytest.mark.asyncio
async def test_importing_the_same_file_twice_changes_nothing(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    before = await table_snapshot()

    summary = await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    assert await table_snapshot() == before
    assert not summary.changed
    assert summary.counts["clients"].unchanged == 3


@pytest.mark.asyncio
async def test_a_changed_field_updates_its_record_and_nothing_else(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    before = await table_snapshot()
    document = sample_document()
    acme_client(document)["name"] = "Jane Doe"
    acme_client(document)["services"][0]["price"] = "54.99"
    acme_client(document)["invoices"][2]["payments"] = [payment("9.99")]

    summary = await import_document(document, signing_key=TEST_SECRET_KEY)

    assert (await Client.get(key="c-1", tenant__key="acme")).name == "Jane Doe"
    assert (await Service.get(key="s-1")).price_cents == 5499
    unpaid = await Invoice.get(import_key="unpaid-1")
    assert (unpaid.status, unpaid.balance_cents) == (InvoiceStatus.PARTIAL, 4000)
    assert (summary.updated("clients"), summary.updated("services")) == (1, 1)
    assert (summary.updated("invoices"), summary.created("payments")) == (1, 1)
    after = await table_snapshot()
    assert len(after["clients"]) == len(before["clients"])
    assert after["tenants"] == before["tenants"]


@pytest.mark.asyncio
async def test_every_kind_of_record_takes_its_changed_fields(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    document = sample_document()
    acme = document["tenants"][0]
    acme["settings"] |= {"payment_terms_days": 30, "mailbox": None, "review_runs": True}
    acme["users"][0] |= {
        "token": "ana-rotated-token-0123456789",
        "permissions": ["billing.view", "billing.edit"],
    }
    acme_client(document)["charges"][0]["status"] = "cancelled"
    acme_client(document)["services"][1] |= {
        "quantity": "3",
        "period": "annual",
        "auto_email": None,
    }
    paid_invoice = acme_client(document)["invoices"][0]
    paid_invoice["emailed_at"] = "2026-09-03T08:00:00-05:00"
    paid_invoice["payments"][1]["method"] = "bank_transfer"

    summary = await import_document(document, signing_key=TEST_SECRET_KEY)

    tenant = await Tenant.get(key="acme")
    assert (tenant.payment_terms_days, tenant.mailbox_host, tenant.review_runs) == (30, None, True)
    ana = await User.get(key="ana")
    assert ana.token_hash == hash_token("ana-rotated-token-0123456789", get_settings().signing_key)
    assert ana.permissions == ["billing.view", "billing.edit"]
    assert (await Charge.get(key="ch-1")).status == ChargeStatus.CANCELLED
    static_ip = await Service.get(key="s-2")
    assert (static_ip.quantity, static_ip.period, static_ip.auto_email) == (
        Decimal(3),
        "annual",
        None,
    )
    paid = await Invoice.get(import_key="paid-1")
    assert paid.emailed_at == datetime(2026, 9, 3, 13, 0, tzinfo=UTC)
    # New terms move the due dates of the imported history with them.
    assert paid.due_on == date(2026, 10, 1)
    assert (await Payment.get(import_key="paid-1#2")).method == "bank_transfer"
    assert summary.updated("invoices") == 4
    assert (summary.updated("users"), summary.updated("payments")) == (1, 1)


@pytest.mark.asyncio
async def test_records_left_out_of_a_later_file_are_kept(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    document = sample_document()
    del document["tenants"][1]
    document["tenants"][0]["clients"].pop()

    await import_document(document, signing_key=TEST_SECRET_KEY)

    assert await Client.filter(key="c-2").exists()
    assert await Tenant.filter(key="other").exists()


@pytest.mark.asyncio
async def test_an_invoice_keeps_the_lines_of_the_file(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    document = sample_document()
    acme_client(document)["invoices"][1]["lines"].pop()

    summary = await import_document(document, signing_key=TEST_SECRET_KEY)

    partial = await Invoice.get(import_key="partial-1")
    assert await InvoiceLine.filter(invoice=partial).count() == 1
    assert (partial.total_cents, partial.balance_cents) == (4999, 2999)
    assert summary.counts["invoice lines"].removed == 1


@pytest.mark.asyncio
async def test_what_the_product_recorded_after_an_import_survives_a_re_import(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    unpaid = await Invoice.get(import_key="unpaid-1")
    card = await Payment.create(
        tenant_id=unpaid.tenant_id,
        client_id=unpaid.client_id,
        amount_cents=4999,
        currency="USD",
        paid_on=date(2026, 11, 20),
        method="stripe",
    )
    await PaymentAllocation.create(
        tenant_id=unpaid.tenant_id, payment=card, invoice=unpaid, amount_cents=4999
    )
    sent_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    await Invoice.filter(id=unpaid.id).update(
        status=InvoiceStatus.PAID, balance_cents=0, emailed_at=sent_at
    )
    before = await table_snapshot()

    summary = await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    assert await table_snapshot() == before
    assert not summary.changed


# Validation: every rule, as `path: message`.


def problems_after(change: Callable[[Document], Any]) -> list[str]:
    document = sample_document()
    change(document)
    return validate_import(document)


def test_the_sample_document_is_valid() -> None:
    assert validate_import(sample_document()) == []


def test_optional_fields_may_be_left_out() -> None:
    def leave_out(document: Document) -> None:
        settings = document["tenants"][0]["settings"]
        del settings["review_runs"], settings["mailbox"], settings["billing_cycle_day"]
        service = acme_client(document)["services"][0]
        del service["quantity"], service["status"], service["billable"], service["auto_email"]
        for record in acme_client(document)["invoices"]:
            del record["payments"], record["emailed_at"], record["number"]
            if record["status"] is None:
                del record["status"]

    assert problems_after(leave_out) == []


def setter(path: str, value: Any) -> Callable[[Document], None]:
    """A change setting the field at a dotted path such as `tenants.0.name`."""

    def change(document: Document) -> None:
        *parents, name = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(name) if name.isdigit() else name] = value

    return change


def remover(path: str) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        *parents, name = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[name]

    return change


CLIENT = "tenants.0.clients.0"
SERVICE = f"{CLIENT}.services.0"
FIELD_RULES = [
    (setter(f"{CLIENT}.nickname", "JJ"), f"{C0}.nickname: unknown field"),
    (setter("tenants.0.settings.colour", "red"), "tenants[0].settings.colour: unknown field"),
    (setter("version", 2), "version: unknown field"),
    (remover(f"{SERVICE}.price"), f"{C0}.services[0].price: required"),
    (remover("tenants.0.currency"), "tenants[0].currency: required"),
    (remover(f"{CLIENT}.key"), f"{C0}.key: required"),
    (setter(f"{CLIENT}.blocked", "no"), f"{C0}.blocked: must be true or false"),
    (setter(f"{CLIENT}.name", ""), f"{C0}.name: must not be empty"),
    (setter(f"{CLIENT}.name", 7), f"{C0}.name: must be a string"),
    (setter(f"{CLIENT}.key", "k" * 65), f"{C0}.key: must be at most 64 characters"),
    (setter(f"{CLIENT}.charges", {}), f"{C0}.charges: must be a list"),
    (setter(f"{CLIENT}.charges.0", "ch-1"), f"{C0}.charges[0]: must be an object"),
    (setter(f"{CLIENT}.email", "jane"), f"{C0}.email: must be an email address"),
    (
        setter(f"{CLIENT}.status", "gone"),
        f"{C0}.status: must be one of active, overdue, suspended, inactive",
    ),
    (
        setter(f"{SERVICE}.period", "weekly"),
        f"{C0}.services[0].period: must be one of monthly, quarterly, semiannual, annual",
    ),
    (
        setter(f"{SERVICE}.status", "paused"),
        f"{C0}.services[0].status: must be one of active, suspended, cancelled",
    ),
    (
        setter(f"{CLIENT}.charges.0.status", "billed"),
        f"{C0}.charges[0].status: must be one of pending, invoiced, cancelled",
    ),
    (
        setter("tenants.0.users.0.permissions", ["billing.view", "billing.admin"]),
        "tenants[0].users[0].permissions: "
        "must hold only billing.view, billing.edit, billing.settings",
    ),
    (
        setter(f"{SERVICE}.next_bill_date", "2026-02-30"),
        f"{C0}.services[0].next_bill_date: must be an ISO date (YYYY-MM-DD)",
    ),
    (
        setter(f"{CLIENT}.charges.0.scheduled_on", "11/10/2026"),
        f"{C0}.charges[0].scheduled_on: must be an ISO date (YYYY-MM-DD)",
    ),
    (setter(f"{SERVICE}.price", "-0.01"), f"{C0}.services[0].price: must be a decimal ≥ 0"),
    (setter(f"{SERVICE}.price", "ten"), f"{C0}.services[0].price: must be a decimal ≥ 0"),
    (
        setter(f"{SERVICE}.price", "49.999"),
        f"{C0}.services[0].price: must have at most 2 decimal places",
    ),
    (
        setter(f"{SERVICE}.price", 49.99),
        f'{C0}.services[0].price: must be a decimal ≥ 0 written as a string (e.g. "49.99")',
    ),
    (
        setter(f"{CLIENT}.charges.0.amount", "1e3"),
        f"{C0}.charges[0].amount: must be a decimal ≥ 0",
    ),
    (setter(f"{SERVICE}.quantity", "0"), f"{C0}.services[0].quantity: must be a decimal > 0"),
    (setter(f"{SERVICE}.quantity", "-2"), f"{C0}.services[0].quantity: must be a decimal > 0"),
    (
        setter(f"{CLIENT}.invoices.0.payments.0.amount", "0.00"),
        f"{C0}.invoices[0].payments[0].amount: must be a decimal > 0",
    ),
    (
        setter("tenants.0.settings.billing_cycle_day", 29),
        "tenants[0].settings.billing_cycle_day: must be a whole number from 1 to 28",
    ),
    (
        setter("tenants.0.settings.billing_cycle_day", 0),
        "tenants[0].settings.billing_cycle_day: must be a whole number from 1 to 28",
    ),
    (
        setter("tenants.0.settings.payment_terms_days", "14"),
        "tenants[0].settings.payment_terms_days: must be a whole number from 0 to 365",
    ),
    (
        setter("tenants.0.currency", "usd"),
        "tenants[0].currency: must be 3 upper-case letters (an ISO 4217 code such as USD)",
    ),
    (
        setter("tenants.0.timezone", "America/Springfield"),
        "tenants[0].timezone: must be a time zone name from the tz database (e.g. America/Chicago)",
    ),
    (
        setter(f"{CLIENT}.invoices.0.emailed_at", "2026-09-01T14:05:00"),
        f"{C0}.invoices[0].emailed_at: must be an ISO date-time with a UTC offset "
        "(e.g. 2026-09-02T10:00:00+00:00)",
    ),
    (
        setter(f"{CLIENT}.invoices.0.status", "paid"),
        f'{C0}.invoices[0].status: must be "void" or null',
    ),
    (
        setter(f"{CLIENT}.invoices.0.lines", []),
        f"{C0}.invoices[0].lines: must hold at least one line",
    ),
    (
        setter(f"{CLIENT}.invoices.0.lines.0.period_end", "2026-08-31"),
        f"{C0}.invoices[0].lines[0].period_end: must not be before period_start",
    ),
    (
        setter(f"{CLIENT}.invoices.0.lines.0.period_start", None),
        f"{C0}.invoices[0].lines[0].period_start: required for a service line",
    ),
    (
        setter("tenants.0.settings.mailbox.port", 70000),
        "tenants[0].settings.mailbox.port: must be a whole number from 1 to 65535",
    ),
    (
        setter("tenants.0.settings.auto_generate", True),
        "tenants[0].settings.auto_generate: must not be on without a billing_cycle_day: "
        "automatic runs start on the billing cycle day, so the tenant would never be billed",
    ),
    (
        setter(f"{CLIENT}.services.1.price", "500000000000.00"),
        f"{C0}.services[1].quantity: price × quantity (500000000000.00 × 2.5) must be less than "
        "1000000000000",
    ),
    (
        setter(f"{CLIENT}.invoices.0.number", "INV-1000000000000000000"),
        f'{C0}.invoices[0].number: the sequence after the prefix "INV-" must be at most '
        "999999999999999999: new invoice numbers count on from it",
    ),
    (
        setter(f"{CLIENT}.invoices.0.lines", [line("999999999999.99", None, None, None)] * 2),
        f"{C0}.invoices[0].lines: the invoice total of 1999999999999.98 must be less than "
        "1000000000000",
    ),
    (
        setter(f"{CLIENT}.invoices.0.lines.0.charge", "ch-1"),
        f"{C0}.invoices[0].lines[0].charge: a line bills a service or a charge, not both",
    ),
    (
        setter(f"{CLIENT}.invoices.1.lines.1.charge", "ch-404"),
        f'{C0}.invoices[1].lines[1].charge: no charge "ch-404" of this client in the file',
    ),
    (
        setter(f"{CLIENT}.invoices.1.lines.1.charge", "ch-1"),
        f'{C0}.charges[0].status: must be "invoiced": the charge is billed by '
        f"{C0}.invoices[1].lines[1]",
    ),
]

ONE_LINE = "must be a single line without control characters"
CONTROL_CHARACTERS = [
    (f"{CLIENT}.name", "Jane\r\nBcc: all@example.com", f"{C0}.name", "U+000D at position 5"),
    (f"{CLIENT}.key", "c-1\t", f"{C0}.key", "U+0009 at position 4"),
    ("tenants.0.name", "Acme\x1b[31m", "tenants[0].name", "U+001B at position 5"),
    (f"{CLIENT}.invoices.1.number", "OLD\n77", f"{C0}.invoices[1].number", "U+000A at position 4"),
    (
        "tenants.0.settings.invoice_number_prefix",
        "INV\r-",
        "tenants[0].settings.invoice_number_prefix",
        "U+000D at position 4",
    ),
    (
        f"{SERVICE}.description",
        "Fiber\u2028500",
        f"{C0}.services[0].description",
        "U+2028 at position 6",
    ),
    (f"{CLIENT}.email", "jane@example.com\n", f"{C0}.email", "U+000A at position 17"),
    (
        "tenants.0.settings.mailbox.from_address",
        "billing@acme.example\r\nBcc: x@y.z",
        "tenants[0].settings.mailbox.from_address",
        "U+000D at position 21",
    ),
    (
        "tenants.0.settings.mailbox.host",
        "smtp\x85.example",
        "tenants[0].settings.mailbox.host",
        "U+0085 at position 5",
    ),
    (
        f"{CLIENT}.invoices.0.lines.0.description",
        "Fiber\x7f",
        f"{C0}.invoices[0].lines[0].description",
        "U+007F at position 6",
    ),
]


@pytest.mark.parametrize(("where", "value", "path", "found"), CONTROL_CHARACTERS)
def test_line_breaks_and_control_characters_are_refused(
    where: str, value: str, path: str, found: str
) -> None:
    assert problems_after(setter(where, value)) == [f"{path}: {ONE_LINE} (found {found})"]


def test_every_field_with_a_control_character_is_listed_at_once() -> None:
    def break_lines(document: Document) -> None:
        for where, value, _, _ in CONTROL_CHARACTERS:
            setter(where, value)(document)

    expected = [f"{path}: {ONE_LINE} (found {found})" for _, _, path, found in CONTROL_CHARACTERS]
    assert sorted(problems_after(break_lines)) == sorted(expected)


@pytest.mark.parametrize(("change", "expected"), FIELD_RULES)
def test_each_field_rule_reports_its_path_and_message(
    change: Callable[[Document], None], expected: str
) -> None:
    assert problems_after(change) == [expected]


def test_keys_are_unique_within_their_parent() -> None:
    def duplicate_keys(document: Document) -> None:
        acme = document["tenants"][0]
        acme["users"][1]["key"] = "ana"
        acme["clients"][1]["key"] = "c-1"
        acme_client(document)["services"][1]["key"] = "s-1"
        acme_client(document)["invoices"][3]["key"] = "paid-1"
        document["tenants"][1]["key"] = "acme"

    assert sorted(problems_after(duplicate_keys)) == sorted(
        [
            'tenants[0].users[1].key: duplicate key "ana" (also at tenants[0].users[0])',
            'tenants[0].clients[1].key: duplicate key "c-1" (also at tenants[0].clients[0])',
            f'{C0}.services[1].key: duplicate key "s-1" (also at {C0}.services[0])',
            f'{C0}.invoices[3].key: duplicate key "paid-1" (also at {C0}.invoices[0])',
            'tenants[1].key: duplicate key "acme" (also at tenants[0])',
        ]
    )


def test_the_same_key_under_different_parents_is_allowed() -> None:
    def reuse_keys(document: Document) -> None:
        document["tenants"][0]["clients"][1]["services"] = [
            copy.deepcopy(acme_client(document)["services"][0])
        ]

    assert problems_after(reuse_keys) == []


def test_tokens_are_unique_across_tenants() -> None:
    def share_token(document: Document) -> None:
        document["tenants"][1]["users"] = [
            {"key": "eve", "name": "Eve", "token": "bo-secret-token-0123456789", "permissions": []}
        ]

    assert problems_after(share_token) == [
        "tenants[1].users[0].token: already used by tenants[0].users[1]"
    ]


def test_invoice_numbers_are_unique_per_tenant() -> None:
    def reuse_number(document: Document) -> None:
        document["tenants"][0]["clients"][1]["invoices"] = [
            invoice("b-1", "OLD-77", [line("1.00", None, None, None)], [])
        ]

    assert problems_after(reuse_number) == [
        'tenants[0].clients[1].invoices[0].number: invoice number "OLD-77" is already used by '
        f"{C0}.invoices[1]"
    ]


def test_an_invoice_line_must_name_a_service_of_its_own_client() -> None:
    def name_other_service(document: Document) -> None:
        document["tenants"][0]["clients"][1]["services"] = [
            copy.deepcopy(acme_client(document)["services"][0]) | {"key": "bob-s"}
        ]
        acme_client(document)["invoices"][0]["lines"][0]["service"] = "bob-s"

    assert problems_after(name_other_service) == [
        f'{C0}.invoices[0].lines[0].service: no service "bob-s" of this client in the file'
    ]


def test_payments_must_not_exceed_the_invoice_total() -> None:
    def overpay(document: Document) -> None:
        acme_client(document)["invoices"][1]["payments"].append(payment("40.00"))

    assert problems_after(overpay) == [
        f"{C0}.invoices[1].payments: payments of 60.00 exceed the invoice total of 59.99"
    ]


def test_a_void_invoice_cannot_carry_payments() -> None:
    def pay_void(document: Document) -> None:
        acme_client(document)["invoices"][3]["payments"] = [payment("1.00")]

    assert problems_after(pay_void) == [
        f"{C0}.invoices[3].status: a void invoice cannot have payments"
    ]


def test_two_live_lines_may_not_bill_the_same_service_period() -> None:
    def bill_twice(document: Document) -> None:
        acme_client(document)["invoices"][2]["lines"][0]["period_start"] = "2026-09-01"

    assert problems_after(bill_twice) == [
        f'{C0}.invoices[2].lines[0].period_start: service "s-1" period 2026-09-01 to '
        f"2026-11-30 overlaps 2026-09-01 to 2026-09-30, already billed by {C0}.invoices[0].lines[0]"
    ]


def test_two_live_lines_may_not_bill_the_same_day_of_a_service() -> None:
    def overlap_by_days(document: Document) -> None:
        acme_client(document)["invoices"][1]["lines"][0]["period_start"] = "2026-09-15"

    assert problems_after(overlap_by_days) == [
        f'{C0}.invoices[1].lines[0].period_start: service "s-1" period 2026-09-15 to '
        f"2026-10-31 overlaps 2026-09-01 to 2026-09-30, already billed by {C0}.invoices[0].lines[0]"
    ]


def test_a_void_invoice_does_not_bill_its_period() -> None:
    # The sample's void invoice and its unpaid one bill the same November period.
    periods = [
        record["lines"][0]["period_start"] for record in acme_client(sample_document())["invoices"]
    ]
    assert periods.count("2026-11-01") == 2
    assert validate_import(sample_document()) == []


def test_a_document_that_is_not_an_object_is_one_problem() -> None:
    assert validate_import([]) == ["(document): must be an object"]  # type: ignore[arg-type]
    assert validate_import({}) == ["tenants: required"]


# All or nothing.


@pytest.mark.asyncio
async def test_a_file_with_several_bad_records_lists_every_problem_and_writes_nothing(
    db: str,
) -> None:
    document = sample_document()
    acme_client(document)["services"][0]["price"] = "-5"
    acme_client(document)["status"] = "unknown"
    document["tenants"][0]["clients"][1]["email"] = "not-an-address"
    document["tenants"][1]["currency"] = "EURO"

    problems = await rejection(document)

    assert sorted(problems) == sorted(
        [
            f"{C0}.services[0].price: must be a decimal ≥ 0",
            f"{C0}.status: must be one of active, overdue, suspended, inactive",
            "tenants[0].clients[1].email: must be an email address",
            "tenants[1].currency: must be 3 upper-case letters (an ISO 4217 code such as USD)",
        ]
    )
    assert set((await table_counts()).values()) == {0}


@pytest.mark.asyncio
async def test_a_line_may_name_a_service_already_stored_for_its_client(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    document = sample_document()
    del acme_client(document)["services"][0]
    assert validate_import(document) != []

    await import_document(document, signing_key=TEST_SECRET_KEY)

    line_service = await InvoiceLine.filter(invoice__import_key="paid-1").first()
    assert line_service is not None
    assert line_service.service_id == (await Service.get(key="s-1")).id


@pytest.mark.asyncio
async def test_a_line_naming_a_service_stored_nowhere_is_rejected(db: str) -> None:
    document = sample_document()
    acme_client(document)["invoices"][0]["lines"][0]["service"] = "s-404"

    problems = await rejection(document)

    assert problems == [
        f'{C0}.invoices[0].lines[0].service: no service "s-404" of this client '
        "in the file or the database"
    ]
    assert set((await table_counts()).values()) == {0}


@pytest.mark.asyncio
async def test_an_invoice_number_held_by_a_stored_invoice_is_rejected(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    before = await table_snapshot()
    document = sample_document()
    acme_client(document)["invoices"][0]["key"] = "renamed"

    problems = await rejection(document)

    # The stored invoice keeps its number and its period: the renamed one may have neither.
    assert sorted(problems) == [
        f"{C0}.invoices[0].lines[0].period_start: the period starting 2026-09-01 is already "
        "billed by invoice INV-000041",
        f'{C0}.invoices[0].number: invoice number "INV-000041" is already used by another '
        "invoice of this tenant",
    ]
    assert await table_snapshot() == before


@pytest.mark.asyncio
async def test_a_token_held_by_a_stored_user_of_another_tenant_is_rejected(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    document = sample_document()
    document["tenants"][1]["users"] = [
        {"key": "eve", "name": "Eve", "token": "ana-secret-token-0123456789", "permissions": []}
    ]
    document["tenants"][0]["users"][0]["token"] = "ana-new-token-0123456789ab"

    problems = await rejection(document)

    assert problems == ["tenants[1].users[0].token: already used by another user"]


@pytest.mark.asyncio
async def test_a_stored_live_invoice_outside_the_file_blocks_its_period(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    document = sample_document()
    acme_client(document)["invoices"][2]["key"] = "unpaid-renamed"
    acme_client(document)["invoices"][2]["number"] = None

    problems = await rejection(document)

    assert problems == [
        f"{C0}.invoices[2].lines[0].period_start: the period starting 2026-11-01 is already "
        "billed by invoice INV-9"
    ]


# Reading files.


def test_a_json_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "import.json"
    path.write_text(json.dumps(sample_document()), encoding="utf-8")

    assert load_import_file(path) == sample_document()


def test_a_gzipped_json_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "import.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        json.dump(sample_document(), stream)

    assert load_import_file(path) == sample_document()


def test_malformed_json_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"tenants": [\n  {"key": "acme",}\n]}', encoding="utf-8")

    with pytest.raises(ImportRejected) as caught:
        load_import_file(path)

    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: not valid JSON (line 2, column ")


def test_a_file_that_is_not_gzip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "plain.json.gz"
    path.write_text("{}", encoding="utf-8")

    with pytest.raises(ImportRejected) as caught:
        load_import_file(path)

    assert caught.value.problems[0].startswith(f"{path}: cannot be read")


def test_a_gzipped_file_expanding_past_the_limit_is_refused_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.json.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(b" " * (3 * MIB))

    with pytest.raises(ImportRejected) as caught:
        load_import_file(path, max_bytes=MIB)

    assert caught.value.problems == [
        f"{path}: larger than the import's limit of 1 MiB once decompressed"
    ]


def test_a_file_within_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "import.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        json.dump(sample_document(), stream)

    assert load_import_file(path, max_bytes=len(json.dumps(sample_document()))) == (
        sample_document()
    )


def test_a_plain_file_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "large.json"
    path.write_text(json.dumps(sample_document()), encoding="utf-8")

    with pytest.raises(ImportRejected) as caught:
        load_import_file(path, max_bytes=100)

    assert caught.value.problems == [f"{path}: larger than the import's limit of 100 bytes"]


def test_json_nested_too_deeply_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write('{"tenants": ' + "[" * 100_000 + "]" * 100_000 + "}")

    with pytest.raises(ImportRejected) as caught:
        load_import_file(path)

    assert caught.value.problems == [
        f"{path}: nested too deeply to read (the import format needs about 10 levels)"
    ]


def test_a_json_value_that_is_not_an_object_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")

    with pytest.raises(ImportRejected) as caught:
        load_import_file(path)

    assert caught.value.problems == [f"{path}: must hold a JSON object"]


@pytest.mark.asyncio
async def test_imported_payments_are_allocated_in_full_and_hold_no_credit(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)

    payments = await Payment.all()
    allocated = {
        payment.id: sum(
            await PaymentAllocation.filter(payment_id=payment.id).values_list(
                "amount_cents", flat=True
            )
        )
        for payment in payments
    }

    assert payments
    assert {p.id: p.allocated_cents for p in payments} == allocated
    assert {p.id: p.amount_cents for p in payments} == allocated
    client_ids = [client.id for client in await Client.all()]
    assert set((await credit_balances(client_ids)).values()) == {0}
