"""refundPayment — pay money back out of the unallocated part of a payment.

Arguments: input: RefundPaymentInput (paymentId, amount, idempotencyKey)
Permission: billing.edit
Errors (PaymentPayload.errors): NOT_FOUND, ALREADY_REVERSED, REFUND_EXCEEDS_UNALLOCATED,
INVALID_INPUT (an amount not above zero or with more decimals than the currency),
IDEMPOTENCY_CONFLICT, PAYMENT_PROVIDER_ERROR (Stripe refused a card refund; nothing was recorded)
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from billing.delivery.charging import stripe_client
from billing.payments.refunds import RefundRequest, refund_payment
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.payment import Payment
from graph.types.payment_payload import PaymentPayload


@strawberry.input
class RefundPaymentInput:
    payment_id: strawberry.ID
    amount: Decimal
    idempotency_key: str | None = None


@refusals_in(PaymentPayload)
async def refund_payment_field(info: Info, input: RefundPaymentInput) -> PaymentPayload:
    viewer = info.context.authenticated_viewer
    settings = info.context.settings
    stripe = (
        stripe_client(settings.stripe_api_key, settings.stripe_api_base)
        if settings.stripe_api_key
        else None
    )
    payment = await refund_payment(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        request=RefundRequest(
            payment_id=row_id(input.payment_id, "payment", "paymentId"), amount=input.amount
        ),
        idempotency_key=input.idempotency_key,
        stripe_client=stripe,
        today=info.context.today,
    )
    return PaymentPayload(payment=Payment.from_model(payment))
