"""The InvoiceSettings type: Settings → Invoices as the run page, the documents and
collections follow them."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from billing.tenants.invoice_settings import invoice_settings, legal_name_of
from graph.types.common import UserError
from orm import models


@strawberry.type
class InvoiceSettings:
    legal_name: str = strawberry.field(description="The seller's name as printed on invoices.")
    address: str | None = strawberry.field(
        description="Postal address; lines separated by newlines."
    )
    tax_id: str | None = strawberry.field(
        description="The seller's VAT or tax number as printed on invoices (validated for its "
        "country where it has one)."
    )
    currency: str = strawberry.field(
        description="ISO 4217 code. It cannot change once the tenant has issued an invoice "
        "(CURRENCY_LOCKED)."
    )
    timezone: str = strawberry.field(
        description="IANA zone; billing dates are the tenant's calendar days."
    )
    payment_terms_days: int
    grace_period_days: int
    billing_cycle_day: int | None = strawberry.field(description="1 to 28, or null.")
    auto_generate: bool
    auto_email: bool
    auto_charge: bool
    review_runs: bool
    invoice_number_prefix: str
    credit_note_number_prefix: str
    prices_include_tax: bool = strawberry.field(
        description="True: prices include tax (the tax is worked out of them); false: tax is "
        "added on top."
    )
    default_tax_rate: Decimal | None = strawberry.field(
        description="Percent applied to services and charges that name no rate of their own; "
        "null: no tax."
    )
    payment_instructions: str | None = strawberry.field(
        description="Printed on every invoice: bank account, how to pay."
    )
    issued_invoices_immutable: bool = strawberry.field(
        description="True where the law forbids changing an issued invoice (VAT): voidInvoice "
        "then issues a full credit note (settlement OFFSET) as the legal record and the invoice "
        "shows VOID."
    )
    reminder_days: list[int] = strawberry.field(
        description="Days after the due date on which a reminder is emailed, ascending (e.g. "
        "[1, 7, 14]); empty: none."
    )
    late_fee_amount: Decimal | None = strawberry.field(
        description="Added once, as a pending one-time charge, to a client whose invoice is "
        "still unpaid after its grace date."
    )
    late_fee_percent: Decimal | None = strawberry.field(
        description="Or a percent of that invoice's balance (both set: the larger)."
    )
    block_after_grace: bool = strawberry.field(
        description="Block the client (blockedReason OVERDUE) once an invoice passes its grace "
        "date unpaid; lifted when nothing is past grace."
    )
    auto_apply_credit: bool = strawberry.field(
        description="Apply a client's credit balance to each invoice as it is issued."
    )

    @classmethod
    def from_model(cls, tenant: models.Tenant) -> InvoiceSettings:
        values = invoice_settings(tenant)
        values["legal_name"] = legal_name_of(tenant)
        return cls(**values)


@strawberry.type
class InvoiceSettingsPayload:
    settings: InvoiceSettings | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
