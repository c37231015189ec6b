"""updateInvoiceSettings — change Settings → Invoices.

Arguments: input: UpdateInvoiceSettingsInput (any of the settings; an omitted field is unchanged,
an explicit null clears a nullable one)
Permission: billing.settings
Errors (InvoiceSettingsPayload.errors): INVALID_INPUT (one per setting at fault, `field` its
input name), CURRENCY_LOCKED (a currency change once the tenant has invoices); nothing changes
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from billing.tenants.invoice_settings import InvoiceSettingsRefused, update_invoice_settings
from graph.context import Info
from graph.types.common import UserError
from graph.types.enums import ErrorCode
from graph.types.settings import InvoiceSettings, InvoiceSettingsPayload


@strawberry.input
class UpdateInvoiceSettingsInput:
    legal_name: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    tax_id: str | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    payment_terms_days: int | None = strawberry.UNSET
    grace_period_days: int | None = strawberry.UNSET
    billing_cycle_day: int | None = strawberry.UNSET
    auto_generate: bool | None = strawberry.UNSET
    auto_email: bool | None = strawberry.UNSET
    auto_charge: bool | None = strawberry.UNSET
    review_runs: bool | None = strawberry.UNSET
    invoice_number_prefix: str | None = strawberry.UNSET
    credit_note_number_prefix: str | None = strawberry.UNSET
    prices_include_tax: bool | None = strawberry.UNSET
    default_tax_rate: Decimal | None = strawberry.UNSET
    payment_instructions: str | None = strawberry.UNSET
    issued_invoices_immutable: bool | None = strawberry.UNSET
    reminder_days: list[int] | None = strawberry.UNSET
    late_fee_amount: Decimal | None = strawberry.UNSET
    late_fee_percent: Decimal | None = strawberry.UNSET
    block_after_grace: bool | None = strawberry.UNSET
    auto_apply_credit: bool | None = strawberry.UNSET

    def changes(self) -> dict[str, Any]:
        """The settings the input names, by setting (an explicit null as None)."""
        return {
            name: value
            for name, value in vars(self).items()
            if value is not strawberry.UNSET and not name.startswith("_")
        }


async def update_invoice_settings_field(
    info: Info, input: UpdateInvoiceSettingsInput
) -> InvoiceSettingsPayload:
    viewer = info.context.authenticated_viewer
    try:
        tenant = await update_invoice_settings(
            tenant_id=viewer.tenant.id, user_id=viewer.user.id, changes=input.changes()
        )
    except InvoiceSettingsRefused as refused:
        return InvoiceSettingsPayload(
            errors=[
                UserError(
                    code=ErrorCode(problem.code.value),
                    message=f"{to_camel_case(problem.setting)} {problem.message}",
                    field=to_camel_case(problem.setting),
                )
                for problem in refused.problems
            ]
        )
    return InvoiceSettingsPayload(settings=InvoiceSettings.from_model(tenant))
