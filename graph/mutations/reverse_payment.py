"""reversePayment — undo a payment that bounced or was entered in error.

Arguments: input: ReversePaymentInput (paymentId, reason)
Permission: billing.edit
Errors (PaymentPayload.errors): NOT_FOUND, ALREADY_REVERSED, INVALID_INPUT (an empty or
over-long reason; part of the payment was paid back)
"""

from __future__ import annotations

import strawberry

from billing.payments.reversal import reverse_payment
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.payment import Payment
from graph.types.payment_payload import PaymentPayload


@strawberry.input
class ReversePaymentInput:
    payment_id: strawberry.ID
    reason: str = strawberry.field(
        description="Why it is reversed (a bounced cheque…): one line, at most 1,000 characters."
    )


@refusals_in(PaymentPayload)
async def reverse_payment_field(info: Info, input: ReversePaymentInput) -> PaymentPayload:
    viewer = info.context.authenticated_viewer
    payment = await reverse_payment(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        payment_id=row_id(input.payment_id, "payment", "paymentId"),
        reason=input.reason,
        today=info.context.today,
    )
    return PaymentPayload(payment=Payment.from_model(payment))
