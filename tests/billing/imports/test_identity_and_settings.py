"""The import format's identity, tax and Settings → Invoices fields: stored as given, their
defaults where left out, refused as `path: message` by the rules Settings → Invoices applies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from billing.clients.eligibility import BlockedReason
from billing.imports.importer import import_document
from billing.imports.validation import validate_import
from orm.models import Charge, Client, InvoiceLine, Service, Tenant, User
from tests.billing.test_importer import C0, acme_client, rejection, sample_document
from tests.support.keys import TEST_SECRET_KEY

Document = dict[str, Any]
T0 = "tenants[0]"
VALID_VAT = "DE136695976"
OTHER_VALID_VAT = "FR40303265045"


def with_identity() -> Document:
    """The sample with every new field of Acme, its first client and records set."""
    document = sample_document()
    tenant = document["tenants"][0]
    tenant |= {
        "legal_name": "Acme Fiber GmbH",
        "address": "Hauptstraße 1\n10115 Berlin",
        "tax_id": VALID_VAT,
    }
    tenant["settings"] |= {
        "credit_note_number_prefix": "GS-",
        "prices_include_tax": True,
        "default_tax_rate": "19",
        "payment_instructions": "IBAN DE89 3704 0044 0532 0130 00",
        "issued_invoices_immutable": True,
        "reminder_days": [1, 7, 14],
        "late_fee_amount": "5.00",
        "late_fee_percent": "1.5",
        "block_after_grace": True,
        "auto_apply_credit": False,
    }
    tenant["users"][0]["permissions"] = ["billing.view", "billing.settings"]
    client = acme_client(document)
    client |= {
        "address": "Rue de Rivoli 1\n75001 Paris",
        "tax_id": OTHER_VALID_VAT,
        "tax_exempt": True,
        "tax_exempt_reason": "Reverse charge",
        "blocked_reason": "overdue",
    }
    client["services"][0]["tax_rate"] = "7"
    client["services"][1]["tax_rate"] = "0"
    client["charges"][0]["tax_rate"] = "19.5"
    client["invoices"][0]["lines"][0]["tax_rate"] = "19"
    return document


@pytest.mark.asyncio
async def test_the_identity_taxes_and_settings_of_the_file_are_stored(db: str) -> None:
    await import_document(with_identity(), signing_key=TEST_SECRET_KEY)
    tenant = await Tenant.get(key="acme")
    assert (tenant.legal_name, tenant.address, tenant.tax_id) == (
        "Acme Fiber GmbH",
        "Hauptstraße 1\n10115 Berlin",
        VALID_VAT,
    )
    assert (tenant.credit_note_number_prefix, tenant.prices_include_tax) == ("GS-", True)
    assert tenant.default_tax_rate == Decimal("19")
    assert tenant.payment_instructions == "IBAN DE89 3704 0044 0532 0130 00"
    assert tenant.issued_invoices_immutable is True
    assert tenant.reminder_days == [1, 7, 14]
    assert (tenant.late_fee_cents, tenant.late_fee_percent) == (500, Decimal("1.5"))
    assert (tenant.block_after_grace, tenant.auto_apply_credit) == (True, False)
    user = await User.get(tenant=tenant, key=sample_document()["tenants"][0]["users"][0]["key"])
    assert user.permissions == ["billing.view", "billing.settings"]
    client = await Client.get(tenant=tenant, key="c-1")
    assert (client.address, client.tax_id) == ("Rue de Rivoli 1\n75001 Paris", OTHER_VALID_VAT)
    assert (client.tax_exempt, client.tax_exempt_reason) == (True, "Reverse charge")
    assert client.blocked_reason == BlockedReason.OVERDUE
    rates = await Service.filter(client=client).order_by("key").values_list("tax_rate", flat=True)
    assert rates == [Decimal("7"), Decimal("0")]
    assert (await Charge.get(client=client, key="ch-1")).tax_rate == Decimal("19.5")
    line = await InvoiceLine.get(invoice__client=client, invoice__import_key="paid-1", position=0)
    assert line.tax_rate == Decimal("19")


@pytest.mark.asyncio
async def test_left_out_fields_take_the_formats_defaults(db: str) -> None:
    await import_document(sample_document(), signing_key=TEST_SECRET_KEY)
    tenant = await Tenant.get(key="acme")
    assert (tenant.legal_name, tenant.address, tenant.tax_id) == (None, None, None)
    assert (tenant.credit_note_number_prefix, tenant.default_tax_rate) == ("CN-", None)
    assert (tenant.reminder_days, tenant.late_fee_cents, tenant.auto_apply_credit) == (
        [],
        None,
        True,
    )
    blocked = await Client.get(tenant=tenant, key="c-1")
    assert (blocked.blocked, blocked.blocked_reason) == (True, BlockedReason.MANUAL)
    unblocked = await Client.get(tenant=tenant, key="c-2")
    assert (unblocked.blocked_reason, unblocked.tax_exempt) == (None, False)
    assert (await Service.get(client=blocked, key="s-1")).tax_rate is None


@pytest.mark.asyncio
async def test_importing_the_same_identity_again_changes_nothing(db: str) -> None:
    await import_document(with_identity(), signing_key=TEST_SECRET_KEY)
    summary = await import_document(with_identity(), signing_key=TEST_SECRET_KEY)
    assert not summary.changed


def test_the_file_with_every_new_field_is_valid() -> None:
    assert validate_import(with_identity()) == []


def set_at(document: Document, path: tuple[Any, ...], value: Any) -> Document:
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return document


TENANT = ("tenants", 0)
SETTINGS = (*TENANT, "settings")
CLIENT = (*TENANT, "clients", 0)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ((*TENANT, "tax_id"), "DE123456789", f"{T0}.tax_id: must be a valid DE VAT number"),
        ((*TENANT, "legal_name"), "", f"{T0}.legal_name: must not be empty"),
        ((*TENANT, "address"), "1 Main St\r\nX", f"{T0}.address: must be lines of printable"),
        ((*SETTINGS, "default_tax_rate"), "101", f"{T0}.settings.default_tax_rate: must be a "),
        ((*SETTINGS, "default_tax_rate"), 20, f"{T0}.settings.default_tax_rate: must be a percent"),
        (
            (*SETTINGS, "default_tax_rate"),
            "7.12345",
            f"{T0}.settings.default_tax_rate: must have at most 4 decimal places",
        ),
        ((*SETTINGS, "late_fee_amount"), "1.234", f"{T0}.settings.late_fee_amount: must have at"),
        ((*SETTINGS, "late_fee_percent"), "1.234", f"{T0}.settings.late_fee_percent: must have"),
        (
            (*SETTINGS, "reminder_days"),
            [7, 1],
            f"{T0}.settings.reminder_days: must be in ascending",
        ),
        ((*SETTINGS, "credit_note_number_prefix"), "", f"{T0}.settings.credit_note_number_prefix"),
        ((*SETTINGS, "block_after_grace"), "yes", f"{T0}.settings.block_after_grace: must be true"),
        ((*SETTINGS, "payment_instructions"), " ", f"{T0}.settings.payment_instructions: must not"),
        ((*CLIENT, "tax_id"), "FR00303265045", f"{C0}.tax_id: must be a valid FR VAT number"),
        ((*CLIENT, "tax_exempt"), True, f"{C0}.tax_exempt_reason: required where tax_exempt"),
        ((*CLIENT, "blocked_reason"), "angry", f"{C0}.blocked_reason: must be one of manual, over"),
        ((*CLIENT, "services", 0, "tax_rate"), "abc", f"{C0}.services[0].tax_rate: must be a"),
        ((*CLIENT, "charges", 0, "tax_rate"), "-1", f"{C0}.charges[0].tax_rate: must be a percent"),
        (
            (*CLIENT, "invoices", 0, "lines", 0, "tax_rate"),
            "100.5",
            f"{C0}.invoices[0].lines[0].tax_rate: must be a percent from 0 to 100",
        ),
    ],
)
def test_a_wrong_field_is_reported_with_its_path(
    path: tuple[Any, ...], value: Any, expected: str
) -> None:
    [problem] = validate_import(set_at(sample_document(), path, value))
    assert problem.startswith(expected)


def test_a_blocked_reason_needs_a_blocked_client() -> None:
    document = sample_document()
    set_at(document, (*TENANT, "clients", 1, "blocked_reason"), "manual")
    assert validate_import(document) == [
        "tenants[0].clients[1].blocked_reason: must be null for a client that is not blocked"
    ]


def test_a_late_fee_has_the_digits_of_the_tenants_currency() -> None:
    document = sample_document()
    document["tenants"][0]["currency"] = "JPY"
    for client in document["tenants"][0]["clients"]:
        client.pop("invoices", None)
        client.pop("services", None)
        client.pop("charges", None)
    set_at(document, (*SETTINGS, "late_fee_amount"), "500.5")
    assert validate_import(document) == [
        f"{T0}.settings.late_fee_amount: must have no decimal places: "
        "the currency has no minor unit"
    ]


@pytest.mark.asyncio
async def test_a_refused_identity_writes_nothing(db: str) -> None:
    document = with_identity()
    document["tenants"][0]["tax_id"] = "DE123456789"
    problems = await rejection(document)
    assert problems == [
        f"{T0}.tax_id: must be a valid DE VAT number (its check digits do not match)"
    ]
    assert not await Tenant.exists()
