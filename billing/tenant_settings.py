"""Checks of a tenant's invoice settings that a run needs before it bills anyone."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orm.models import Tenant


def tenant_settings_problems(tenant: Tenant) -> list[str]:
    """What is wrong with the settings, in words for Settings → Invoices; empty when fine."""
    problems = []
    if tenant.payment_terms_days < 0:
        problems.append("payment terms must be zero or more days")
    if tenant.grace_period_days < 0:
        problems.append("the grace period must be zero or more days")
    if tenant.billing_cycle_day is not None and not 1 <= tenant.billing_cycle_day <= 28:
        problems.append("the billing cycle day must be between 1 and 28")
    if not tenant.invoice_number_prefix:
        problems.append("the invoice number prefix is empty")
    if len(tenant.currency or "") != 3:
        problems.append(f"the currency “{tenant.currency}” is not a three-letter code")
    try:
        ZoneInfo(tenant.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"the timezone “{tenant.timezone}” is unknown")
    return [f"tenant settings: {problem}" for problem in problems]
