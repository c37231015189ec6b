"""The Settings → Invoices page against the real API: read by every viewer, changed with the
billing.settings permission, refusals shown under their fields."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.components.invoice_settings import SECTIONS, shown_value
from dashboard.graphql_client import InvoiceSettings
from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import messages
from tests.dashboard.tenants import SETTINGS

PAGE = "pages/settings.py"
SETTINGS_QUERY = """
{ invoiceSettings {
  legalName address taxId currency timezone paymentTermsDays gracePeriodDays billingCycleDay
  autoGenerate autoEmail autoCharge reviewRuns invoiceNumberPrefix creditNoteNumberPrefix
  pricesIncludeTax defaultTaxRate paymentInstructions issuedInvoicesImmutable reminderDays
  lateFeeAmount lateFeePercent blockAfterGrace autoApplyCredit
} }
"""
NEW_LEGAL_NAME = "Settings Lab Fiber GmbH"
WRONG_CHECK_DIGITS = "DE123456789"


def api_settings(api: RunningApi) -> InvoiceSettings:
    data = api.graphql(SETTINGS.analyst_token, SETTINGS_QUERY)["invoiceSettings"]
    return InvoiceSettings.model_validate(data)


def shown_settings(app: AppTest) -> dict[str, str]:
    """Each setting's label and the value its table shows."""
    shown: dict[str, str] = {}
    for table in app.table:
        shown.update(table.value["Value"].to_dict())
    return shown


def save(app: AppTest) -> AppTest:
    return next(button for button in app.button if button.label == "Save settings").click().run()


def test_every_setting_is_shown_read_only_without_the_settings_permission(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    settings = api_settings(api_server)

    app = open_dashboard(SETTINGS.analyst_token, PAGE)

    assert not app.exception
    assert shown_settings(app) == {
        setting.label: shown_value(setting, getattr(settings, setting.name))
        for members in SECTIONS.values()
        for setting in members
    }
    assert shown_settings(app)["Currency"] == settings.currency
    assert not [button for button in app.button if button.label == "Save settings"]
    assert messages(app, "info") == [
        "Read-only: changing these settings needs the billing.settings permission. "
        "Ask an administrator of your billing to grant it or to make the change."
    ]


def test_the_settings_permission_gets_a_form_filled_with_the_settings(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    settings = api_settings(api_server)

    app = open_dashboard(SETTINGS.editor_token, PAGE)

    assert app.text_input(key="settings.legal_name").value == settings.legal_name
    assert app.number_input(key="settings.payment_terms_days").value == (
        settings.payment_terms_days
    )
    assert app.toggle(key="settings.auto_email").value is settings.auto_email


def test_a_change_is_saved_and_the_page_says_what_changed(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    before = api_settings(api_server)
    terms = before.payment_terms_days + 5
    app = open_dashboard(SETTINGS.editor_token, PAGE)

    app.number_input(key="settings.payment_terms_days").set_value(terms)
    app.text_input(key="settings.legal_name").input(f"  {NEW_LEGAL_NAME} ")
    save(app)

    assert not app.exception
    assert messages(app, "success") == [
        f"Saved. Legal name: {before.legal_name} → {NEW_LEGAL_NAME}; "
        f"Payment terms (days): {before.payment_terms_days} → {terms}."
    ]
    after = api_settings(api_server)
    assert (after.payment_terms_days, after.legal_name) == (terms, NEW_LEGAL_NAME)
    assert shown_settings(app)["Payment terms (days)"] == str(terms)
    assert app.number_input(key="settings.payment_terms_days").value == terms


def test_a_refused_change_shows_the_reason_under_its_field_and_changes_nothing(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    before = api_settings(api_server)
    app = open_dashboard(SETTINGS.editor_token, PAGE)

    app.text_input(key="settings.tax_id").input(WRONG_CHECK_DIGITS)
    app.number_input(key="settings.grace_period_days").set_value(before.grace_period_days + 1)
    save(app)

    assert not app.exception
    assert messages(app, "success") == []
    assert messages(app, "error") == [
        "Tax number: must be a valid DE VAT number (its check digits do not match)"
    ]
    assert api_settings(api_server) == before
    # What was typed stays, to be corrected.
    assert app.text_input(key="settings.tax_id").value == WRONG_CHECK_DIGITS


def test_a_currency_change_once_invoices_exist_is_refused_in_words(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    before = api_settings(api_server)
    other = "EUR" if before.currency != "EUR" else "USD"
    app = open_dashboard(SETTINGS.editor_token, PAGE)

    app.text_input(key="settings.currency").input(other)
    save(app)

    assert messages(app, "error") == [
        f"The currency stays {before.currency}: invoices have been issued in it, and an issued "
        "invoice's amounts cannot change currency."
    ]
    assert api_settings(api_server).currency == before.currency


def test_saving_without_a_change_says_so(open_dashboard: OpenDashboard):
    app = open_dashboard(SETTINGS.editor_token, PAGE)

    save(app)

    assert messages(app, "info") == ["Nothing to save: no setting was changed."]
