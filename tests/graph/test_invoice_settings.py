"""Settings → Invoices over the API: read by every viewer, changed with billing.settings only;
each change validated (every problem at once, nothing changed), audited, and the currency
locked once the tenant has invoices."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from billing.audit.actions import AuditAction
from orm.models import AuditEvent, Tenant
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.builders import EDIT, VIEW, ApiUser, make_invoice, make_user

SETTINGS_PERMISSION = "billing.settings"
FIELDS = """legalName address taxId currency timezone paymentTermsDays gracePeriodDays
billingCycleDay autoGenerate autoEmail autoCharge reviewRuns invoiceNumberPrefix
creditNoteNumberPrefix pricesIncludeTax defaultTaxRate paymentInstructions
issuedInvoicesImmutable reminderDays lateFeeAmount lateFeePercent blockAfterGrace
autoApplyCredit"""
QUERY = f"query {{ invoiceSettings {{ {FIELDS} }} }}"
UPDATE = f"""mutation($input: UpdateInvoiceSettingsInput!) {{
updateInvoiceSettings(input: $input) {{
  settings {{ {FIELDS} }}
  errors {{ code message field }}
}} }}"""
VALID_VAT = "DE136695976"


@pytest_asyncio.fixture
async def admin(acme: Team) -> ApiUser:
    return await make_user(acme.tenant, "acme-admin", permissions=(VIEW, EDIT, SETTINGS_PERMISSION))


async def update(graphql: GraphQLClient, user: ApiUser, **input: Any) -> dict[str, Any]:
    return (await graphql.data(UPDATE, {"input": input}, user=user))["updateInvoiceSettings"]


async def stored(team: Team) -> Tenant:
    return await Tenant.get(id=team.tenant.id)


async def snapshot(team: Team) -> dict[str, Any]:
    """Every column of the tenant: what must stay the same when an update is refused."""
    return (await Tenant.filter(id=team.tenant.id).values())[0]


@pytest.mark.asyncio
async def test_every_viewer_reads_the_settings_with_the_tenants_name_as_legal_name(
    graphql: GraphQLClient, acme: Team
) -> None:
    settings = (await graphql.data(QUERY, user=acme.viewer))["invoiceSettings"]
    tenant = await stored(acme)
    assert settings["legalName"] == tenant.name
    assert settings["currency"] == tenant.currency
    assert settings["address"] is None
    assert settings["creditNoteNumberPrefix"] == "CN-"
    assert settings["reminderDays"] == []
    assert settings["autoApplyCredit"] is True


@pytest.mark.asyncio
async def test_reading_the_settings_needs_billing_view(graphql: GraphQLClient, acme: Team) -> None:
    body = await graphql.execute(QUERY, user=acme.stranger)
    assert error_codes(body) == ["FORBIDDEN"]


@pytest.mark.asyncio
async def test_every_setting_is_changed_and_read_back(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    changes = {
        "legalName": "Acme Fiber GmbH",
        "address": "Hauptstraße 1\n10115 Berlin\nGermany",
        "taxId": VALID_VAT,
        "currency": "EUR",
        "timezone": "Europe/Berlin",
        "paymentTermsDays": 30,
        "gracePeriodDays": 10,
        "billingCycleDay": 5,
        "autoGenerate": True,
        "autoEmail": True,
        "autoCharge": True,
        "reviewRuns": True,
        "invoiceNumberPrefix": "RE-",
        "creditNoteNumberPrefix": "GS-",
        "pricesIncludeTax": True,
        "defaultTaxRate": "19",
        "paymentInstructions": "IBAN DE89 3704 0044 0532 0130 00",
        "issuedInvoicesImmutable": True,
        "reminderDays": [1, 7, 14],
        "lateFeeAmount": "5.00",
        "lateFeePercent": "1.5",
        "blockAfterGrace": True,
        "autoApplyCredit": False,
    }
    payload = await update(graphql, admin, **changes)
    assert payload["errors"] == []
    assert payload["settings"] == changes
    assert (await graphql.data(QUERY, user=acme.viewer))["invoiceSettings"] == changes
    tenant = await stored(acme)
    assert (tenant.late_fee_cents, tenant.currency) == (500, "EUR")


@pytest.mark.asyncio
async def test_an_omitted_field_is_unchanged(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    await update(graphql, admin, address="1 Main St", paymentTermsDays=21)
    payload = await update(graphql, admin, gracePeriodDays=3)
    assert payload["errors"] == []
    settings = payload["settings"]
    assert (settings["address"], settings["paymentTermsDays"], settings["gracePeriodDays"]) == (
        "1 Main St",
        21,
        3,
    )


@pytest.mark.asyncio
async def test_an_explicit_null_clears_a_nullable_setting(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    await update(
        graphql,
        admin,
        legalName="Acme Ltd",
        taxId=VALID_VAT,
        lateFeeAmount="2.50",
        billingCycleDay=9,
    )
    payload = await update(
        graphql, admin, legalName=None, taxId=None, lateFeeAmount=None, billingCycleDay=None
    )
    assert payload["errors"] == []
    tenant = await stored(acme)
    assert (tenant.legal_name, tenant.tax_id, tenant.late_fee_cents, tenant.billing_cycle_day) == (
        None,
        None,
        None,
        None,
    )
    assert payload["settings"]["legalName"] == tenant.name


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("billingCycleDay", 29, "must be a whole number from 1 to 28"),
        ("billingCycleDay", 0, "must be a whole number from 1 to 28"),
        ("paymentTermsDays", 366, "must be a whole number from 0 to 365"),
        ("gracePeriodDays", -1, "must be a whole number from 0 to 365"),
        ("timezone", "Mars/Olympus", "must be a time zone name"),
        ("currency", "usd", "must be 3 upper-case letters"),
        ("currency", "XAU", "must be an ISO 4217 currency code with a minor unit"),
        ("invoiceNumberPrefix", "", "must not be empty"),
        ("invoiceNumberPrefix", "INV\n", "must be a single line"),
        ("creditNoteNumberPrefix", " ", "must not be empty"),
        ("legalName", "", "must not be empty"),
        ("legalName", "Acme\nLtd", "must be a single line"),
        ("address", "1 Main St\r\nSpringfield", "must be lines of printable text"),
        ("taxId", "DE123456789", "must be a valid DE VAT number"),
        ("taxId", "FR00303265045", "must be a valid FR VAT number"),
        ("defaultTaxRate", "100.5", "must be a percent from 0 to 100"),
        ("defaultTaxRate", "-1", "must be a percent from 0 to 100"),
        ("defaultTaxRate", "7.12345", "must have at most 4 decimal places"),
        ("reminderDays", [7, 1], "must be in ascending order"),
        ("reminderDays", [0], "must be days 1 to 365"),
        ("lateFeeAmount", "5.001", "at most 2 decimal places for USD"),
        ("lateFeeAmount", "-5", "must be 0 or more"),
        ("lateFeePercent", "1.234", "must have at most 2 decimal places"),
        ("autoGenerate", True, "must not be on without a billing_cycle_day"),
        ("currency", None, "must not be null"),
        ("autoEmail", None, "must not be null"),
        ("reminderDays", None, "must not be null"),
    ],
)
async def test_a_wrong_setting_is_refused_and_nothing_changes(
    graphql: GraphQLClient, acme: Team, admin: ApiUser, field: str, value: Any, message: str
) -> None:
    before = await snapshot(acme)
    valid_change = (
        {"gracePeriodDays": 2} if field == "paymentTermsDays" else {"paymentTermsDays": 45}
    )
    payload = await update(graphql, admin, **valid_change, **{field: value})
    assert payload["settings"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", field)
    assert message in error["message"]
    assert await snapshot(acme) == before
    assert not await AuditEvent.filter(action=AuditAction.SETTINGS).exists()


@pytest.mark.asyncio
async def test_every_problem_is_reported_at_once(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    payload = await update(
        graphql, admin, billingCycleDay=31, timezone="Nowhere", taxId="DE1", lateFeeAmount="1.999"
    )
    fields = [error["field"] for error in payload["errors"]]
    assert fields == ["taxId", "timezone", "billingCycleDay", "lateFeeAmount"]


@pytest.mark.asyncio
async def test_a_late_fee_follows_a_currency_change_in_that_currencys_digits(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    await update(graphql, admin, lateFeeAmount="5.50")
    refused = await update(graphql, admin, currency="JPY")
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("INVALID_INPUT", "lateFeeAmount")
    ]
    payload = await update(graphql, admin, currency="JPY", lateFeeAmount="500")
    assert payload["errors"] == []
    assert (await stored(acme)).late_fee_cents == 500
    assert payload["settings"]["lateFeeAmount"] == "500"


@pytest.mark.asyncio
async def test_the_currency_is_locked_once_the_tenant_has_an_invoice(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    await make_invoice(acme.client, total="10.00")
    before = await snapshot(acme)
    payload = await update(graphql, admin, currency="EUR", address="1 Main St")
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("CURRENCY_LOCKED", "currency")]
    assert "the tenant has invoices in USD" in payload["errors"][0]["message"]
    assert await snapshot(acme) == before
    # The same currency again is no change, and other settings still change.
    payload = await update(graphql, admin, currency="USD", address="1 Main St")
    assert payload["errors"] == []


@pytest.mark.asyncio
@pytest.mark.parametrize("user", ["editor", "viewer", "stranger"])
async def test_changing_settings_needs_billing_settings(
    graphql: GraphQLClient, acme: Team, user: str
) -> None:
    before = await snapshot(acme)
    body = await graphql.execute(
        UPDATE, {"input": {"paymentTermsDays": 60}}, user=getattr(acme, user)
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert await snapshot(acme) == before


@pytest.mark.asyncio
async def test_a_change_is_audited_with_who_and_each_setting_from_and_to(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    await update(
        graphql,
        admin,
        paymentTermsDays=30,
        defaultTaxRate="20",
        lateFeeAmount="4.00",
        taxId=VALID_VAT,
        timezone=acme.tenant.timezone,
    )
    [event] = await AuditEvent.filter(tenant_id=acme.tenant.id, action=AuditAction.SETTINGS)
    assert event.user_id == admin.user.id
    assert event.detail == {
        "changes": {
            "payment_terms_days": {"from": acme.tenant.payment_terms_days, "to": 30},
            "default_tax_rate": {"from": None, "to": "20"},
            "late_fee_amount": {"from": None, "to": "4.00"},
            "tax_id": {"from": None, "to": VALID_VAT},
        }
    }


@pytest.mark.asyncio
async def test_repeating_an_update_changes_nothing_and_records_nothing(
    graphql: GraphQLClient, acme: Team, admin: ApiUser
) -> None:
    first = await update(graphql, admin, defaultTaxRate="7.5", reminderDays=[3, 10])
    again = await update(graphql, admin, defaultTaxRate="7.50", reminderDays=[3, 10])
    assert again == first
    assert await AuditEvent.filter(action=AuditAction.SETTINGS).count() == 1


@pytest.mark.asyncio
async def test_another_tenants_settings_are_untouched(
    graphql: GraphQLClient, acme: Team, globex: Team, admin: ApiUser
) -> None:
    before = await snapshot(globex)
    await update(graphql, admin, legalName="Acme Ltd", paymentTermsDays=1)
    assert await snapshot(globex) == before
