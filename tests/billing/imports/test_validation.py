"""Import validation on the import format's models: amounts in the tenant's currency, API
tokens, every problem at once in the project's words and in document order."""

from __future__ import annotations

from typing import Any

import pytest

from billing.imports.importer import ImportRejected, import_document
from billing.imports.validation import validate_import
from orm.models import Tenant
from tests.billing.test_importer import C0, acme_client, sample_document
from tests.support.keys import TEST_SECRET_KEY

Document = dict[str, Any]


def in_currency(currency: str, price: str) -> Document:
    """The sample with Acme in `currency` and whole amounts, its first service priced `price`."""
    document = sample_document()
    document["tenants"][0]["currency"] = currency
    client = acme_client(document)
    client["services"][1]["price"] = "5"
    client["charges"][0]["amount"] = "89"
    client["invoices"] = []
    client["services"][0]["price"] = price
    return document


@pytest.mark.parametrize(
    ("currency", "price"),
    [("USD", "49.99"), ("USD", "49.9"), ("JPY", "5000"), ("BHD", "12.345"), ("BHD", "12")],
)
def test_an_amount_may_have_its_currencys_digits(currency: str, price: str) -> None:
    assert validate_import(in_currency(currency, price)) == []


@pytest.mark.parametrize(
    ("currency", "price", "message"),
    [
        ("USD", "49.999", "must have at most 2 decimal places"),
        ("JPY", "5000.5", "must have no decimal places: the currency has no minor unit"),
        ("BHD", "12.3456", "must have at most 3 decimal places"),
    ],
)
def test_an_amount_with_more_digits_than_its_currency_is_refused(
    currency: str, price: str, message: str
) -> None:
    assert validate_import(in_currency(currency, price)) == [f"{C0}.services[0].price: {message}"]


def test_every_amount_of_a_tenant_is_checked_in_its_currency() -> None:
    document = sample_document()
    document["tenants"][1]["currency"] = "JPY"
    other_client = document["tenants"][1]["clients"][0]
    other_client["invoices"][0]["lines"][0]["amount"] = "1.50"
    other_client["invoices"][0]["payments"] = [
        {"amount": "0.5", "paid_on": "2026-09-05", "method": "cash"}
    ]

    digits = "must have no decimal places: the currency has no minor unit"
    assert validate_import(document) == [
        f"tenants[1].clients[0].invoices[0].lines[0].amount: {digits}",
        f"tenants[1].clients[0].invoices[0].payments[0].amount: {digits}",
    ]


def test_a_currency_without_a_minor_unit_in_iso_4217_is_refused() -> None:
    document = sample_document()
    document["tenants"][0]["currency"] = "XAU"

    assert validate_import(document) == [
        "tenants[0].currency: must be an ISO 4217 currency code with a minor unit (e.g. USD)"
    ]


def test_an_api_token_must_have_at_least_24_characters() -> None:
    document = sample_document()
    document["tenants"][0]["users"][0]["token"] = "x" * 23
    document["tenants"][0]["users"][1]["token"] = "y" * 24

    assert validate_import(document) == [
        "tenants[0].users[0].token: must be at least 24 characters (it has 23)"
    ]


def test_a_short_token_with_a_control_character_is_told_about_the_character() -> None:
    document = sample_document()
    document["tenants"][0]["users"][0]["token"] = "tok\nen"

    assert validate_import(document) == [
        "tenants[0].users[0].token: must be a single line without control characters "
        "(found U+000A at position 4)"
    ]


def test_rules_across_records_are_reported_with_the_records_bad_fields() -> None:
    document = sample_document()
    acme = document["tenants"][0]
    acme_client(document)["services"][0]["price"] = "-1"
    acme_client(document)["services"][1]["key"] = "s-1"
    acme["clients"][1]["key"] = "c-1"
    acme["clients"][1]["email"] = "not-an-address"
    document["tenants"][1]["users"] = [
        {"key": "eve", "name": "Eve", "token": "bo-secret-token-0123456789", "permissions": 7}
    ]

    assert validate_import(document) == [
        "tenants[0].clients[0].services[0].price: must be a decimal ≥ 0",
        'tenants[0].clients[0].services[1].key: duplicate key "s-1" (also at '
        "tenants[0].clients[0].services[0])",
        'tenants[0].clients[1].key: duplicate key "c-1" (also at tenants[0].clients[0])',
        "tenants[0].clients[1].email: must be an email address",
        "tenants[1].users[0].token: already used by tenants[0].users[1]",
        "tenants[1].users[0].permissions: must be a list",
    ]


def test_problems_are_listed_in_the_order_of_the_document() -> None:
    document = sample_document()
    document["tenants"][1]["name"] = ""
    acme_client(document)["services"][1]["period"] = "weekly"
    acme_client(document)["name"] = 7
    document["tenants"][0]["clients"][1]["status"] = "gone"

    assert validate_import(document) == [
        f"{C0}.name: must be a string",
        f"{C0}.services[1].period: must be one of monthly, quarterly, semiannual, annual",
        "tenants[0].clients[1].status: must be one of active, overdue, suspended, inactive",
        "tenants[1].name: must not be empty",
    ]


@pytest.mark.parametrize(
    "value", [None, 3, 4.5, True, [], {}, "", "\x00", "\ud800", "x" * 2000, "2026-13-01"]
)
def test_every_field_describes_a_bad_value_in_the_projects_words(value: Any) -> None:
    document = sample_document()
    tenant = document["tenants"][0]
    records = [tenant, tenant["settings"], tenant["settings"]["mailbox"], tenant["users"][0]]
    client = acme_client(document)
    records += [client, client["services"][0], client["charges"][0], client["invoices"][0]]
    records += [client["invoices"][0]["lines"][0], client["invoices"][0]["payments"][0]]
    for record in records:
        for name in record:
            record[name] = value

    problems = validate_import(document)

    assert problems
    pydantic_words = ("Input should", "String should", "List should", "Value error")
    assert [problem for problem in problems if any(w in problem for w in pydantic_words)] == []


@pytest.mark.asyncio
async def test_an_import_with_more_digits_than_its_currency_is_rejected_and_writes_nothing(
    db: str,
) -> None:
    document = in_currency("JPY", "5000.5")

    with pytest.raises(ImportRejected) as caught:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    assert caught.value.problems == [
        f"{C0}.services[0].price: must have no decimal places: the currency has no minor unit"
    ]
    assert not await Tenant.exists()
