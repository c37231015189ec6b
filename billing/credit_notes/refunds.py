"""Paying a credited amount back to a card through Stripe's refunds."""

from __future__ import annotations

import stripe

from billing.errors import BillingRuleError, ErrorCode

NO_STRIPE = "The money was paid by card, and no Stripe key is configured to refund it."


async def refund_card_payment(
    client: stripe.StripeClient | None,
    *,
    payment_intent_id: str,
    amount: int,
    idempotency_key: str,
) -> str:
    """Refund `amount` minor units of the PaymentIntent; the refund's id. Any Stripe failure is
    PAYMENT_PROVIDER_ERROR (the caller records nothing)."""
    if client is None:
        raise BillingRuleError(ErrorCode.PAYMENT_PROVIDER_ERROR, NO_STRIPE)
    try:
        refund = await client.v1.refunds.create_async(
            {"payment_intent": payment_intent_id, "amount": amount},
            {"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as exc:
        raise BillingRuleError(
            ErrorCode.PAYMENT_PROVIDER_ERROR,
            f"Stripe did not refund the payment: {exc.user_message or exc}",
        ) from exc
    return refund.id
