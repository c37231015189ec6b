"""The invoice settings rules, one set for the import and for a run's start."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from billing.imports.validation import validate_import
from billing.tenants.settings import (
    invoice_settings_problems,
    tax_id_problem,
    tenant_settings_problems,
)
from tests.billing.test_importer import sample_document

GOOD = {
    "payment_terms_days": 14,
    "grace_period_days": 7,
    "billing_cycle_day": None,
    "auto_generate": False,
    "invoice_number_prefix": "INV-",
    "currency": "USD",
    "timezone": "America/Chicago",
}


def stored_tenant(**changes: Any) -> Any:
    return SimpleNamespace(**(GOOD | changes))


def test_a_run_refuses_automatic_generation_without_a_billing_cycle_day() -> None:
    assert tenant_settings_problems(stored_tenant(auto_generate=True)) == [
        "tenant settings: auto_generate must not be on without a billing_cycle_day: automatic "
        "runs start on the billing cycle day, so the tenant would never be billed"
    ]
    assert tenant_settings_problems(stored_tenant(auto_generate=True, billing_cycle_day=5)) == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("invoice_number_prefix", ""),
        ("invoice_number_prefix", "INV\n"),
        ("payment_terms_days", 366),
        ("billing_cycle_day", 29),
        ("currency", "usd"),
        ("currency", "XAU"),
        ("currency", "QQQ"),
        ("timezone", "Mars/Olympus"),
    ],
)
def test_the_import_and_a_run_agree_on_each_setting(setting: str, value: Any) -> None:
    document = sample_document()
    tenant = document["tenants"][0]
    target = tenant if setting in ("currency", "timezone") else tenant["settings"]
    target[setting] = value

    accepted_by_import = validate_import(document) == []
    accepted_by_run = tenant_settings_problems(stored_tenant(**{setting: value})) == []

    assert accepted_by_import == accepted_by_run


@pytest.mark.parametrize(
    "tax_id",
    ["DE136695976", "FR40303265045", "EL094259216", "GB980780684", "DE 136 695 976"],
)
def test_a_vat_number_with_valid_check_digits_is_accepted(tax_id: str) -> None:
    assert tax_id_problem(tax_id) is None


@pytest.mark.parametrize(
    ("tax_id", "country"), [("DE136695977", "DE"), ("FR00303265045", "FR"), ("GB123", "GB")]
)
def test_a_vat_number_is_checked_for_the_country_it_names(tax_id: str, country: str) -> None:
    assert tax_id_problem(tax_id) == (
        f"must be a valid {country} VAT number (its check digits do not match)"
    )


@pytest.mark.parametrize("tax_id", ["12-3456789", "ZZ-4711"])
def test_a_tax_number_of_no_known_vat_scheme_is_kept_as_written(tax_id: str) -> None:
    assert tax_id_problem(tax_id) is None


@pytest.mark.parametrize(
    ("where", "setting", "value"),
    [
        ("tenant", "tax_id", "DE136695977"),
        ("tenant", "tax_id", "DE136695976"),
        ("tenant", "legal_name", ""),
        ("tenant", "address", "1 Main St\r\nX"),
        ("settings", "credit_note_number_prefix", ""),
        ("settings", "default_tax_rate", "100.01"),
        ("settings", "default_tax_rate", "19.0001"),
        ("settings", "default_tax_rate", "19.00001"),
        ("settings", "late_fee_amount", "1.001"),
        ("settings", "late_fee_amount", "1.01"),
        ("settings", "late_fee_percent", "100.5"),
        ("settings", "reminder_days", [1, 1]),
        ("settings", "reminder_days", [1, 7, 14]),
        ("settings", "payment_instructions", "IBAN\tDE89"),
    ],
)
def test_the_import_and_settings_invoices_agree_on_each_setting(
    where: str, setting: str, value: Any
) -> None:
    document = sample_document()
    tenant = document["tenants"][0]
    (tenant if where == "tenant" else tenant["settings"])[setting] = value

    accepted_by_import = validate_import(document) == []
    accepted_by_settings = invoice_settings_problems({setting: value, "currency": "USD"}) == {}

    assert accepted_by_import == accepted_by_settings
