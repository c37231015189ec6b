"""Settings → Invoices: every setting as it stands, and the form that changes them.

The form sends only the settings that were changed. The API checks them all at once and names
each one at fault; those messages show under their fields, and after a change the page says
what changed, from what, to what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import pandas as pd
import streamlit as st

from dashboard.api import GraphQLClient, update_invoice_settings
from dashboard.components.flash import flash, show_flashes
from dashboard.models import InvoiceSettings, UserError

SCOPE = "settings"
CURRENCY_LOCKED = "CURRENCY_LOCKED"

Kind = Literal["text", "optional_text", "long_text", "whole", "day", "switch", "decimal", "days"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its field name (InvoiceSettings and UpdateInvoiceSettingsInput), its label,
    how it is entered, and what it does."""

    name: str
    label: str
    kind: Kind
    help: str

    @property
    def api_name(self) -> str:
        """The name the API gives it ('paymentTermsDays'), as a UserError's `field`."""
        first, *rest = self.name.split("_")
        return first + "".join(part.capitalize() for part in rest)

    @property
    def widget_key(self) -> str:
        return f"{SCOPE}.{self.name}"


class UnreadableValue(ValueError):
    """What was typed in a field is not a value of its kind; the text says why."""


SECTIONS: dict[str, tuple[Setting, ...]] = {
    "Seller": (
        Setting("legal_name", "Legal name", "text", "The seller's name as printed on invoices."),
        Setting("address", "Address", "long_text", "Postal address, one line per line."),
        Setting(
            "tax_id",
            "Tax number",
            "optional_text",
            "VAT or tax number as printed on invoices, checked for its country.",
        ),
        Setting(
            "payment_instructions",
            "Payment instructions",
            "long_text",
            "Printed on every invoice: bank account, how to pay.",
        ),
    ),
    "Billing": (
        Setting(
            "currency",
            "Currency",
            "text",
            "ISO 4217 code. It cannot change once an invoice has been issued.",
        ),
        Setting(
            "timezone",
            "Time zone",
            "text",
            "IANA zone (e.g. Europe/Berlin): billing dates are its calendar days.",
        ),
        Setting("payment_terms_days", "Payment terms (days)", "whole", "Due date: 0 to 365 days."),
        Setting("grace_period_days", "Grace period (days)", "whole", "Days after the due date."),
        Setting(
            "billing_cycle_day",
            "Billing cycle day",
            "day",
            "1 to 28; empty for none. Runs then bill on this day of the month.",
        ),
        Setting(
            "auto_generate",
            "Automatic generation",
            "switch",
            "Bill on the cycle day without a manual run (needs a billing cycle day).",
        ),
        Setting("auto_email", "Email invoices", "switch", "Email each invoice as it is issued."),
        Setting("auto_charge", "Charge saved cards", "switch", "Charge each invoice's card."),
        Setting("review_runs", "Review runs", "switch", "Runs stop with drafts for review first."),
    ),
    "Numbering": (
        Setting("invoice_number_prefix", "Invoice number prefix", "text", "E.g. INV-."),
        Setting("credit_note_number_prefix", "Credit note number prefix", "text", "E.g. CN-."),
    ),
    "Taxes": (
        Setting(
            "prices_include_tax",
            "Prices include tax",
            "switch",
            "On: the tax is worked out of the prices; off: it is added on top.",
        ),
        Setting(
            "default_tax_rate",
            "Default tax rate (%)",
            "decimal",
            "For services and charges without a rate of their own; empty for no tax.",
        ),
        Setting(
            "issued_invoices_immutable",
            "Issued invoices are immutable",
            "switch",
            "Voiding an issued invoice issues a full credit note as the legal record.",
        ),
    ),
    "Collections": (
        Setting(
            "reminder_days",
            "Reminder days",
            "days",
            "Days after the due date on which a reminder is emailed, e.g. 1, 7, 14.",
        ),
        Setting(
            "late_fee_amount",
            "Late fee",
            "decimal",
            "Charged once when an invoice is still unpaid after its grace date; empty for none.",
        ),
        Setting(
            "late_fee_percent",
            "Late fee (% of the balance)",
            "decimal",
            "Or a percent of the invoice's balance (both set: the larger).",
        ),
        Setting(
            "block_after_grace",
            "Block after grace",
            "switch",
            "Block a client once an invoice passes its grace date unpaid.",
        ),
        Setting(
            "auto_apply_credit",
            "Apply credit balance",
            "switch",
            "Apply a client's credit balance to each invoice as it is issued.",
        ),
    ),
}
SETTINGS = tuple(setting for section in SECTIONS.values() for setting in section)


def shown_value(setting: Setting, value: Any) -> str:
    """A setting's value for people: 'On', '1, 7, 14', '—' where unset."""
    if setting.kind == "switch":
        return "On" if value else "Off"
    if value is None or value == "" or value == []:
        return "—"
    if setting.kind == "days":
        return ", ".join(str(day) for day in value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def render_settings_table(settings: InvoiceSettings) -> None:
    """Every setting and its value, section by section in two columns."""
    columns = st.columns(2)
    for index, (section, members) in enumerate(SECTIONS.items()):
        with columns[index % 2]:
            st.markdown(f"**{section}**")
            values = [shown_value(setting, getattr(settings, setting.name)) for setting in members]
            labels = [setting.label for setting in members]
            st.table(pd.DataFrame({"Value": values}, index=pd.Index(labels, name="Setting")))


def render_settings_form(api: GraphQLClient, settings: InvoiceSettings) -> None:
    """The form that changes the settings, with the API's refusals under their fields."""
    show_flashes(SCOPE)
    errors = st.session_state.get(_errors_key(), {})
    with st.form(f"{SCOPE}.form"):
        for error in errors.get(None, []):
            st.error(error)
        typed: dict[str, Any] = {}
        for section, members in SECTIONS.items():
            st.subheader(section)
            for setting in members:
                typed[setting.name] = setting_widget(setting, getattr(settings, setting.name))
                for error in errors.get(setting.name, []):
                    st.error(error)
        submitted = st.form_submit_button("Save settings", type="primary")
    if submitted:
        save(api, settings, typed)


def setting_widget(setting: Setting, value: Any) -> Any:
    """The field of one setting, filled with its value; returns what it holds now."""
    common = {"key": setting.widget_key, "help": setting.help}
    if setting.kind == "switch":
        return st.toggle(setting.label, value=bool(value), **common)
    if setting.kind == "long_text":
        return st.text_area(setting.label, value=value or "", height=90, **common)
    if setting.kind in ("whole", "day"):
        return st.number_input(setting.label, value=value, step=1, format="%d", **common)
    return st.text_input(setting.label, value=field_text(setting, value), **common)


def field_text(setting: Setting, value: Any) -> str:
    """A setting's value as its text field holds it: empty where unset."""
    if value is None or value == []:
        return ""
    return shown_value(setting, value)


def save(api: GraphQLClient, settings: InvoiceSettings, typed: Mapping[str, Any]) -> None:
    """Send the changed settings; keep the API's refusals by field, or say what changed."""
    try:
        changes = changed_settings(settings, typed)
    except UnreadableValues as unreadable:
        st.session_state[_errors_key()] = unreadable.errors
        st.rerun()
    if not changes:
        st.session_state.pop(_errors_key(), None)
        flash(SCOPE, "info", "Nothing to save: no setting was changed.")
        st.rerun()
    result = update_invoice_settings(api, changes)
    if result.ok and result.value is not None:
        st.session_state.pop(_errors_key(), None)
        forget_fields()
        flash(SCOPE, "success", change_summary(settings, result.value))
    else:
        st.session_state[_errors_key()] = errors_by_setting(result.errors, settings)
    st.rerun()


class UnreadableValues(Exception):
    """Fields whose text is not a value of their kind, with the reason under each."""

    def __init__(self, errors: dict[str | None, list[str]]) -> None:
        super().__init__("unreadable settings")
        self.errors = errors


def changed_settings(settings: InvoiceSettings, typed: Mapping[str, Any]) -> dict[str, Any]:
    """The settings whose field differs from the value the API gave, as the API takes them."""
    changes: dict[str, Any] = {}
    unreadable: dict[str | None, list[str]] = {}
    for setting in SETTINGS:
        try:
            value = entered_value(setting, typed[setting.name])
        except UnreadableValue as reason:
            unreadable[setting.name] = [f"{setting.label}: {reason}"]
            continue
        if value != getattr(settings, setting.name):
            changes[setting.name] = value
    if unreadable:
        raise UnreadableValues(unreadable)
    return changes


def entered_value(setting: Setting, entered: Any) -> Any:
    """What a field holds as the API takes it: text trimmed (empty clears an optional one),
    whole numbers, decimals, a list of days."""
    if setting.kind in ("switch", "whole", "day"):
        return None if entered is None else type_of(setting)(entered)
    text = str(entered).strip()
    if setting.kind == "text":
        return text
    if not text:
        return [] if setting.kind == "days" else None
    if setting.kind == "decimal":
        return decimal_entered(text)
    if setting.kind == "days":
        return days_entered(text)
    return text


def type_of(setting: Setting) -> type:
    return bool if setting.kind == "switch" else int


def decimal_entered(text: str) -> Decimal:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation as error:
        raise UnreadableValue(f"“{text}” is not a number.") from error
    if not number.is_finite():
        raise UnreadableValue(f"“{text}” is not a number.")
    return number


def days_entered(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise UnreadableValue("give whole days separated by commas, e.g. 1, 7, 14.")
    return [int(part) for part in parts]


def errors_by_setting(
    errors: list[UserError], settings: InvoiceSettings
) -> dict[str | None, list[str]]:
    """The API's refusals in words, under the setting each names (None: the form as a whole)."""
    by_api_name = {setting.api_name: setting for setting in SETTINGS}
    grouped: dict[str | None, list[str]] = {}
    for error in errors:
        setting = by_api_name.get(error.field or "")
        name = setting.name if setting else None
        grouped.setdefault(name, []).append(error_in_words(error, setting, settings))
    return grouped


def error_in_words(error: UserError, setting: Setting | None, settings: InvoiceSettings) -> str:
    if error.code.value == CURRENCY_LOCKED:
        return (
            f"The currency stays {settings.currency}: invoices have been issued in it, and an "
            "issued invoice's amounts cannot change currency."
        )
    if setting is None:
        return error.message
    detail = error.message.removeprefix(f"{setting.api_name} ")
    return f"{setting.label}: {detail}"


def change_summary(before: InvoiceSettings, after: InvoiceSettings) -> str:
    """'Saved. Payment terms (days): 14 → 30; Tax number: — → DE136695976.'"""
    changes = [
        f"{setting.label}: {shown_value(setting, old)} → {shown_value(setting, new)}"
        for setting in SETTINGS
        if (old := getattr(before, setting.name)) != (new := getattr(after, setting.name))
    ]
    if not changes:
        return "Saved: the settings were already so."
    return "Saved. " + "; ".join(changes) + "."


def forget_fields() -> None:
    """Let each field start again from the settings the API now holds."""
    for setting in SETTINGS:
        st.session_state.pop(setting.widget_key, None)


def _errors_key() -> str:
    return f"{SCOPE}.errors"
