"""Settings → Invoices: reading a tenant's settings and changing them.

An update names only the settings it changes; a None clears a nullable one. Every change is
checked by the rules of `billing.tenants.settings` (all problems at once) and refused whole where
any is wrong; the currency cannot change once the tenant has an invoice. A change that changes
something is written with one audit record naming each setting from → to, in one transaction; an
update that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.errors import BillingRuleError, ErrorCode
from billing.money import from_minor_units, to_minor_units
from billing.tenants.settings import invoice_settings_problems
from orm.models import Invoice, Tenant

# The settings in the order of the API's InvoiceSettings type.
INVOICE_SETTINGS = (
    "legal_name",
    "address",
    "tax_id",
    "currency",
    "timezone",
    "payment_terms_days",
    "grace_period_days",
    "billing_cycle_day",
    "auto_generate",
    "auto_email",
    "auto_charge",
    "review_runs",
    "invoice_number_prefix",
    "credit_note_number_prefix",
    "prices_include_tax",
    "default_tax_rate",
    "payment_instructions",
    "issued_invoices_immutable",
    "reminder_days",
    "late_fee_amount",
    "late_fee_percent",
    "block_after_grace",
    "auto_apply_credit",
)
# Settings a None clears (a cleared legal name is the tenant's name).
NULLABLE_SETTINGS = frozenset(
    {
        "legal_name",
        "address",
        "tax_id",
        "billing_cycle_day",
        "default_tax_rate",
        "payment_instructions",
        "late_fee_amount",
        "late_fee_percent",
    }
)
PERCENT_SETTINGS = frozenset({"default_tax_rate", "late_fee_percent"})


@dataclass(frozen=True, slots=True)
class SettingProblem:
    """Why one setting of an update is refused."""

    setting: str
    message: str
    code: ErrorCode = ErrorCode.INVALID_INPUT


class InvoiceSettingsRefused(BillingRuleError):
    """An update refused; `problems` names each setting at fault. Nothing was changed."""

    def __init__(self, problems: list[SettingProblem]) -> None:
        self.problems = problems
        first = problems[0]
        message = "; ".join(f"{problem.setting} {problem.message}" for problem in problems)
        super().__init__(first.code, message, first.setting)


def legal_name_of(tenant: Tenant) -> str:
    """The seller's name as printed: the legal name, or the tenant's name where none is set."""
    return tenant.legal_name or tenant.name


def invoice_settings(tenant: Tenant) -> dict[str, Any]:
    """The tenant's settings by name, money and percents as Decimals (`legal_name` as stored:
    None where the tenant's name is printed)."""
    values = {name: getattr(tenant, name) for name in INVOICE_SETTINGS if name != "late_fee_amount"}
    values["late_fee_amount"] = (
        None
        if tenant.late_fee_cents is None
        else from_minor_units(tenant.late_fee_cents, tenant.currency)
    )
    for name in PERCENT_SETTINGS:
        if values[name] is not None:
            values[name] = plain_percent(values[name])
    values["reminder_days"] = list(values["reminder_days"] or [])
    return values


def plain_percent(value: Decimal | str | int) -> Decimal:
    """A percent without trailing zeros ("20.0000" → 20, "7.50" → 7.5)."""
    number = Decimal(value).normalize()
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


async def currency_change_problem(
    tenant_id: int, stored: str, wanted: str, conn: BaseDBAsyncClient | None = None
) -> str | None:
    """Why the tenant's currency cannot change from `stored` to `wanted`: its invoices (drafts
    too) are in the stored currency; None where it can."""
    if wanted == stored:
        return None
    if not await Invoice.filter(tenant_id=tenant_id).using_db(conn).exists():
        return None
    return f"cannot change from {stored} to {wanted}: the tenant has invoices in {stored}"


def update_problems(current: Mapping[str, Any], changes: Mapping[str, Any]) -> list[SettingProblem]:
    """What is wrong with the changes applied to the current settings: each changed setting by
    its rule, the rules between settings (automatic runs need a cycle day, a late fee fits the
    currency) over the settings as they would be."""
    unknown = [name for name in changes if name not in INVOICE_SETTINGS]
    if unknown:
        raise ValueError(f"not invoice settings: {unknown}")
    problems = {
        name: "must not be null"
        for name, value in changes.items()
        if value is None and name not in NULLABLE_SETTINGS
    }
    after = dict(current) | dict(changes)
    checked = {name: after[name] for name in changes if name not in problems}
    if "auto_generate" in changes or "billing_cycle_day" in changes:
        checked |= {name: after[name] for name in ("auto_generate", "billing_cycle_day")}
    if "currency" in changes or "late_fee_amount" in changes:
        checked |= {name: after[name] for name in ("currency", "late_fee_amount")}
    if checked.get("legal_name") is None:
        checked.pop("legal_name", None)
    problems |= {
        name: message
        for name, message in invoice_settings_problems(checked).items()
        if name not in problems
    }
    return [SettingProblem(name, problems[name]) for name in INVOICE_SETTINGS if name in problems]


def changed_settings(
    current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """The settings the changes really change, as {setting: (from, to)}."""
    return {
        name: (current[name], value)
        for name, value in changes.items()
        if not _same(current[name], value)
    }


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, Decimal) and isinstance(wanted, Decimal | int):
        return stored == wanted  # "20" and "20.00" are the same percent
    return type(stored) is type(wanted) and stored == wanted


def audit_value(value: Any) -> Any:
    """A setting's value as the audit record keeps it (JSON; decimals as plain strings)."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def stored_columns(after: Mapping[str, Any], changed: Mapping[str, Any]) -> dict[str, Any]:
    """The tenant's columns that the changed settings are kept in."""
    columns: dict[str, Any] = {}
    for name in changed:
        if name == "late_fee_amount":
            continue
        value = after[name]
        columns[name] = list(value) if name == "reminder_days" else value
    if "late_fee_amount" in changed or "currency" in changed:
        amount = after["late_fee_amount"]
        columns["late_fee_cents"] = (
            None if amount is None else to_minor_units(amount, after["currency"])
        )
    return columns


async def update_invoice_settings(
    *, tenant_id: int, user_id: int | None, changes: Mapping[str, Any]
) -> Tenant:
    """Apply the changes (InvoiceSettingsRefused naming every problem, where any is wrong) and
    return the tenant as it is now."""
    async with in_transaction() as conn:
        tenant = await Tenant.filter(id=tenant_id).using_db(conn).select_for_update().get()
        current = invoice_settings(tenant)
        problems = update_problems(current, changes)
        if "currency" in changes and "currency" not in {p.setting for p in problems}:
            locked = await currency_change_problem(
                tenant_id, tenant.currency, changes["currency"], conn
            )
            if locked:
                problems.append(SettingProblem("currency", locked, ErrorCode.CURRENCY_LOCKED))
        if problems:
            raise InvoiceSettingsRefused(problems)
        changed = changed_settings(current, changes)
        if not changed:
            return tenant
        after = dict(current) | dict(changes)
        columns = stored_columns(after, changed)
        await Tenant.filter(id=tenant_id).using_db(conn).update(**columns)
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.SETTINGS,
            detail={
                "changes": {
                    name: {"from": audit_value(old), "to": audit_value(new)}
                    for name, (old, new) in changed.items()
                }
            },
            using_db=conn,
        )
        return await Tenant.get(id=tenant_id).using_db(conn)
