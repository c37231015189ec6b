"""Paying money back out of the part of a payment no invoice took.

A CARD payment taken through Stripe is refunded through Stripe's refunds, as the last step
before the commit: when Stripe refuses, nothing is recorded (PAYMENT_PROVIDER_ERROR). Any other
payment is recorded as paid back (the cash handed over, the transfer made by the bank).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import stripe
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.credit_notes.refunds import refund_card_payment
from billing.dates import today_in
from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import claim, complete, idempotent_request, purge_expired
from billing.money import format_money, to_minor_units
from billing.payments.locks import lock_client
from billing.payments.methods import PaymentStatus
from orm.models import Payment, PaymentRefund, Tenant

OPERATION = "refund_payment"


@dataclass(frozen=True, slots=True)
class RefundRequest:
    payment_id: int
    amount: Decimal

    def fingerprint_input(self) -> dict[str, object]:
        return {"payment_id": self.payment_id, "amount": str(self.amount)}


async def refund_payment(
    *,
    tenant_id: int,
    user_id: int | None,
    request: RefundRequest,
    idempotency_key: str | None = None,
    stripe_client: stripe.StripeClient | None = None,
    today: date | None = None,
) -> Payment:
    """Pay `amount` of the payment back (REFUND_EXCEEDS_UNALLOCATED above its unallocated part;
    ALREADY_REVERSED for a reversed payment). Repeated under its idempotency key it returns the
    payment and pays nothing more."""
    idempotent = idempotent_request(
        tenant_id, idempotency_key, OPERATION, request.fingerprint_input()
    )
    if idempotent is not None:
        await purge_expired(tenant_id)
    async with in_transaction() as conn:
        if (earlier := await claim(idempotent, conn)) is not None:
            return await Payment.get(id=earlier["payment_id"]).using_db(conn)
        found = await Payment.filter(id=request.payment_id, tenant_id=tenant_id).using_db(conn)
        if not found:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such payment.", field="paymentId")
        await lock_client(conn, tenant_id=tenant_id, client_id=found[0].client_id)
        payment = (
            await Payment.filter(id=request.payment_id).select_for_update().using_db(conn).get()
        )
        amount_cents = _refundable(payment, request.amount)
        tenant = await Tenant.get(id=tenant_id).using_db(conn)
        refund = await PaymentRefund.create(
            tenant_id=tenant_id,
            client_id=payment.client_id,
            payment_id=payment.id,
            amount_cents=amount_cents,
            refunded_on=today or today_in(tenant.timezone),
            created_by_id=user_id,
            using_db=conn,
        )
        payment.refunded_cents += amount_cents
        await payment.save(using_db=conn, update_fields=["refunded_cents"])
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.REFUND,
            detail={
                "payment_id": payment.id,
                "client_id": payment.client_id,
                "refund_id": refund.id,
                "amount_cents": amount_cents,
            },
            using_db=conn,
        )
        if payment.stripe_payment_intent_id:
            refund.stripe_refund_id = await refund_card_payment(
                stripe_client,
                payment_intent_id=payment.stripe_payment_intent_id,
                amount=amount_cents,
                idempotency_key=f"payment-refund-{tenant_id}-{refund.id}",
            )
            await refund.save(using_db=conn, update_fields=["stripe_refund_id"])
        await complete(idempotent, {"payment_id": payment.id}, conn)
    return payment


def _refundable(payment: Payment, amount: Decimal) -> int:
    """The amount in minor units, where the payment can pay it back."""
    if payment.status == PaymentStatus.REVERSED:
        raise BillingRuleError(
            ErrorCode.ALREADY_REVERSED,
            "The payment was reversed: there is nothing to pay back.",
            field="paymentId",
        )
    try:
        amount_cents = to_minor_units(amount, payment.currency)
    except BillingRuleError as error:
        raise BillingRuleError(error.code, error.message, field="amount") from error
    if amount_cents <= 0:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT, "The amount must be above zero.", field="amount"
        )
    unallocated = payment.amount_cents - payment.allocated_cents - payment.refunded_cents
    if amount_cents > unallocated:
        raise BillingRuleError(
            ErrorCode.REFUND_EXCEEDS_UNALLOCATED,
            f"At most {format_money(unallocated, payment.currency)} of this payment is "
            "unallocated and can be paid back.",
            field="amount",
        )
    return amount_cents
