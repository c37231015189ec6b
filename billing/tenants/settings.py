"""A tenant's invoice settings and identity: the rules written once, which the import applies to
a file's settings, a run applies to the stored tenant before it bills anyone, and Settings →
Invoices applies to what a user types.

Each rule takes a value as it arrives (possibly of the wrong type) and returns what is wrong with
it in words ("must …"), or None. Tax numbers are checked offline with python-stdnum: the check
digits of the number for its country, never a network look-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stdnum.eu import vat as eu_vat
from stdnum.util import get_cc_module

from billing.collections.policy import collections_settings_problems
from billing.money import AmountError, minor_unit_digits
from billing.percents import flag_problem, optional_percent_rule
from billing.text import single_line_text_problem, unstorable_text

if TYPE_CHECKING:
    from orm.models import Tenant

MAX_TERMS_DAYS = 365
FIRST_CYCLE_DAY, LAST_CYCLE_DAY = 1, 28
MAX_PREFIX_LENGTH = 32
MAX_LEGAL_NAME_LENGTH = 200
MAX_TAX_ID_LENGTH = 32
MAX_ADDRESS_LENGTH = 1_000
MAX_INSTRUCTIONS_LENGTH = 2_000
MAX_EXEMPTION_REASON_LENGTH = 500
TAX_RATE_PLACES = 4
CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# Text printed on documents over several lines: any control character but the line feed is
# refused (a carriage return or form feed would break the PDF's and the e-invoice's lines).
NOT_MULTI_LINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
TAX_ID_COUNTRY = re.compile(r"[A-Za-z]{2}")

SettingRule = Callable[[Any], str | None]


def whole_days_problem(value: Any) -> str | None:
    """Payment terms and grace periods: whole days from 0 to 365."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERMS_DAYS:
        return f"must be a whole number from 0 to {MAX_TERMS_DAYS}"
    return None


def billing_cycle_day_problem(value: Any) -> str | None:
    """A day of the month every month has (1 to 28), or None for no billing cycle day."""
    if value is None:
        return None
    in_range = isinstance(value, int) and FIRST_CYCLE_DAY <= value <= LAST_CYCLE_DAY
    if isinstance(value, bool) or not in_range:
        return f"must be a whole number from {FIRST_CYCLE_DAY} to {LAST_CYCLE_DAY}"
    return None


def number_prefix_problem(value: Any) -> str | None:
    """An invoice or credit note number prefix: one line of 1 to 32 characters, so that the two
    series and every number in them can be told apart."""
    if not isinstance(value, str):
        return "must be a string"
    if not value.strip():
        return "must not be empty"
    if len(value) > MAX_PREFIX_LENGTH:
        return f"must be at most {MAX_PREFIX_LENGTH} characters"
    return single_line_text_problem(value)


invoice_number_prefix_problem = number_prefix_problem


def legal_name_problem(value: Any) -> str | None:
    """The seller's name on documents: one line of at most 200 characters, not blank."""
    if not isinstance(value, str):
        return "must be a string"
    if not value.strip():
        return "must not be empty"
    if len(value) > MAX_LEGAL_NAME_LENGTH:
        return f"must be at most {MAX_LEGAL_NAME_LENGTH} characters"
    return single_line_text_problem(value)


def optional_text_shape_problem(value: Any, max_length: int) -> str | None:
    """Why a given value of an optional text setting is not text of the right length (null, not
    an empty text, clears such a setting)."""
    if not isinstance(value, str):
        return "must be a string"
    if not value.strip():
        return "must not be empty (null clears it)"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    return None


def printed_text_problem(max_length: int) -> SettingRule:
    """A rule for optional text printed over several lines (an address, payment instructions):
    None, or at most `max_length` characters, not blank, lines separated by line feeds."""

    def problem(value: Any) -> str | None:
        if value is None:
            return None
        if shape := optional_text_shape_problem(value, max_length):
            return shape
        if unstorable := unstorable_text(value):
            return unstorable
        if match := NOT_MULTI_LINE.search(value):
            return (
                "must be lines of printable text separated by line feeds "
                f"(found U+{ord(match.group()):04X} at position {match.start() + 1})"
            )
        return None

    return problem


address_problem = printed_text_problem(MAX_ADDRESS_LENGTH)
payment_instructions_problem = printed_text_problem(MAX_INSTRUCTIONS_LENGTH)
# Why a client's invoices carry no tax (an exemption, reverse charge), printed on them.
tax_exempt_reason_problem = printed_text_problem(MAX_EXEMPTION_REASON_LENGTH)


def tax_id_problem(value: Any) -> str | None:
    """None, or a tax number of at most 32 characters on one line. One that starts with a
    country code python-stdnum knows VAT numbers of (every EU country's, "EL" for Greece, "XI"
    for Northern Ireland, and others such as GB, CH, NO) must have that country's check digits."""
    if value is None:
        return None
    if shape := optional_text_shape_problem(value, MAX_TAX_ID_LENGTH):
        return shape
    if problem := single_line_text_problem(value):
        return problem
    country = value.strip()[:2]
    if not TAX_ID_COUNTRY.fullmatch(country):
        return None
    return _vat_number_problem(value, country.upper())


def _vat_number_problem(value: str, country: str) -> str | None:
    if country.lower() in eu_vat.MEMBER_STATES or country == "EL":
        if eu_vat.is_valid(value):
            return None
        return f"must be a valid {country} VAT number (its check digits do not match)"
    try:
        module = get_cc_module(country.lower(), "vat")
    except (ImportError, ValueError):
        module = None
    if module is None:
        return None  # no VAT number scheme known for these letters: kept as written
    # Some countries' numbers carry the letters (CHE-…), others not (NO…MVA with or without).
    if module.is_valid(value) or module.is_valid(value.strip()[2:]):
        return None
    return f"must be a valid {country} VAT number (its check digits do not match)"


# A service's, a charge's or the tenant's default tax rate: None, or a percent.
tax_rate_problem = optional_percent_rule(TAX_RATE_PLACES)


def currency_problem(value: Any) -> str | None:
    """Why the value is no currency an invoice can be in: an ISO 4217 code with a minor unit."""
    if not (isinstance(value, str) and CURRENCY_CODE.fullmatch(value)):
        return "must be 3 upper-case letters (an ISO 4217 code such as USD)"
    try:
        minor_unit_digits(value)
    except AmountError:
        return "must be an ISO 4217 currency code with a minor unit (e.g. USD)"
    return None


def timezone_problem(value: Any) -> str | None:
    message = "must be a time zone name from the tz database (e.g. America/Chicago)"
    if not isinstance(value, str) or not value or len(value) > 64:
        return message
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return message
    return None


def billing_schedule_problem(auto_generate: Any, billing_cycle_day: Any) -> str | None:
    """Automatic runs start on the billing cycle day: without one, nothing is ever billed."""
    if auto_generate is True and billing_cycle_day is None:
        return (
            "must not be on without a billing_cycle_day: automatic runs start on the billing "
            "cycle day, so the tenant would never be billed"
        )
    return None


SETTING_RULES: dict[str, SettingRule] = {
    "payment_terms_days": whole_days_problem,
    "grace_period_days": whole_days_problem,
    "billing_cycle_day": billing_cycle_day_problem,
    "invoice_number_prefix": invoice_number_prefix_problem,
    "currency": currency_problem,
    "timezone": timezone_problem,
}
# Settings → Invoices beyond what a run checks before it bills: identity, flags, taxes.
DOCUMENT_RULES: dict[str, SettingRule] = {
    "legal_name": legal_name_problem,
    "address": address_problem,
    "tax_id": tax_id_problem,
    "payment_instructions": payment_instructions_problem,
    "credit_note_number_prefix": number_prefix_problem,
    "default_tax_rate": tax_rate_problem,
    "auto_generate": flag_problem,
    "auto_email": flag_problem,
    "auto_charge": flag_problem,
    "review_runs": flag_problem,
    "prices_include_tax": flag_problem,
    "issued_invoices_immutable": flag_problem,
    "auto_apply_credit": flag_problem,
}
COLLECTIONS_SETTINGS = ("reminder_days", "late_fee_amount", "late_fee_percent", "block_after_grace")


def settings_problems(settings: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with the settings given (by name, as SETTING_RULES and `auto_generate`
    name them), as {setting: "must …"}; settings left out are not checked."""
    problems = {
        name: message
        for name, rule in SETTING_RULES.items()
        if name in settings and (message := rule(settings[name]))
    }
    schedule = billing_schedule_problem(
        settings.get("auto_generate"), settings.get("billing_cycle_day")
    )
    if schedule and "billing_cycle_day" not in problems:
        problems["auto_generate"] = schedule
    return problems


def invoice_settings_problems(settings: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with any of Settings → Invoices given (by the names of `InvoiceSettings`;
    `late_fee_amount` a Decimal amount in the given `currency`), as {setting: "must …"};
    settings left out are not checked."""
    problems = settings_problems(settings)
    problems |= {
        name: message
        for name, rule in DOCUMENT_RULES.items()
        if name in settings and name not in problems and (message := rule(settings[name]))
    }
    collections = {name: settings[name] for name in COLLECTIONS_SETTINGS if name in settings}
    currency = settings.get("currency")
    if "currency" in problems or not isinstance(currency, str):
        # A late fee's places can only be checked against a valid currency.
        collections.pop("late_fee_amount", None)
        currency = "XXX"
    return problems | collections_settings_problems(collections, currency)


def tenant_settings_problems(tenant: Tenant) -> list[str]:
    """What is wrong with a stored tenant's settings, one sentence each; empty when fine."""
    names = [*SETTING_RULES, "auto_generate"]
    problems = settings_problems({name: getattr(tenant, name) for name in names})
    return [f"tenant settings: {name} {message}" for name, message in problems.items()]
