"""issueCreditNote — credit an issued invoice in whole or in part, with its own number.

Arguments: input: IssueCreditNoteInput (invoiceId, reason, lines, settlement,
resetServiceSchedule, idempotencyKey)
Permission: billing.edit
Errors (CreditNotePayload.errors): NOT_FOUND, NOT_CREDITABLE (a draft or void invoice),
CREDIT_EXCEEDS_INVOICE, INVALID_INPUT (an empty or over-long reason, an amount not above zero or
with more decimals than the currency), IDEMPOTENCY_CONFLICT, PAYMENT_PROVIDER_ERROR (Stripe
refused a refund; nothing was recorded)
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from billing.credit_notes import issue
from billing.credit_notes.settlement import CreditNoteSettlement as StoredSettlement
from billing.delivery.charging import stripe_client
from graph.context import Info
from graph.ids import parse_id
from graph.mutations.refusals import refusals_in, row_id
from graph.types.common import UserError
from graph.types.credit_note import CreditNote, CreditNoteSettlement


@strawberry.input
class CreditNoteLineInput:
    invoice_line_id: strawberry.ID
    amount: Decimal = strawberry.field(
        description="Net amount to credit, at most what is left uncredited on that line."
    )


@strawberry.input
class IssueCreditNoteInput:
    invoice_id: strawberry.ID
    reason: str = strawberry.field(
        description="Why the invoice is credited, printed on the credit note: one line, at most "
        "1,000 characters."
    )
    lines: list[CreditNoteLineInput] | None = strawberry.field(
        default=None, description="null: credit the whole invoice."
    )
    settlement: CreditNoteSettlement = CreditNoteSettlement.OFFSET
    reset_service_schedule: bool = strawberry.field(
        default=False,
        description="As for voidInvoice: the credited service periods and charges are billed "
        "again by the next run (each credited line must be credited in full).",
    )
    idempotency_key: str | None = None


@strawberry.type
class CreditNotePayload:
    credit_note: CreditNote | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _line_amounts(lines: list[CreditNoteLineInput] | None) -> tuple[issue.LineAmount, ...] | None:
    """The chosen lines; an id that names no line becomes 0, which names none either."""
    if lines is None:
        return None
    return tuple(
        issue.LineAmount(parse_id(line.invoice_line_id) or 0, line.amount) for line in lines
    )


@refusals_in(CreditNotePayload)
async def issue_credit_note(info: Info, input: IssueCreditNoteInput) -> CreditNotePayload:
    viewer = info.context.authenticated_viewer
    settings = info.context.settings
    stripe = (
        stripe_client(settings.stripe_api_key, settings.stripe_api_base)
        if settings.stripe_api_key
        else None
    )
    request = issue.CreditNoteRequest(
        invoice_id=row_id(input.invoice_id, "invoice", "invoiceId"),
        reason=input.reason,
        settlement=StoredSettlement(input.settlement.value),
        lines=_line_amounts(input.lines),
        reset_service_schedule=input.reset_service_schedule,
    )
    note = await issue.issue_credit_note(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        request=request,
        idempotency_key=input.idempotency_key,
        stripe_client=stripe,
    )
    return CreditNotePayload(credit_note=CreditNote.from_model(note))
