"""The invoice settings rules, one set for the import and for a run's start."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from billing.imports.validation import validate_import
from billing.tenants.settings import tenant_settings_problems
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
