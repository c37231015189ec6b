"""Reversing a payment that bounced or was entered in error.

Its allocations go, the invoices it paid owe again (balances and statuses derived from what is
left), and the payment stays on record as REVERSED, with the day and the reason, so the client's
statement shows it and its reversal. A payment part of which was already paid back cannot be
reversed: the client would owe money that was never in the ledger.
"""

from __future__ import annotations

from datetime import date

from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.credit_notes.issue import reason_problem
from billing.dates import today_in
from billing.errors import BillingRuleError, ErrorCode
from billing.payments.allocation import allocation_detail
from billing.payments.balances import settle_balances
from billing.payments.locks import lock_client, lock_client_invoices
from billing.payments.methods import PaymentStatus
from orm.models import Payment, PaymentAllocation, Tenant


async def reverse_payment(
    *, tenant_id: int, user_id: int | None, payment_id: int, reason: str, today: date | None = None
) -> Payment:
    """Reverse the payment (ALREADY_REVERSED the second time; NOT_FOUND for another tenant's);
    `today` None: the tenant's today."""
    reason = reason.strip()
    if problem := reason_problem(reason):
        raise BillingRuleError(ErrorCode.INVALID_INPUT, f"The reason {problem}.", field="reason")
    async with in_transaction() as conn:
        found = await Payment.filter(id=payment_id, tenant_id=tenant_id).using_db(conn).first()
        if found is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such payment.", field="paymentId")
        await lock_client(conn, tenant_id=tenant_id, client_id=found.client_id)
        payment = await Payment.filter(id=payment_id).select_for_update().using_db(conn).get()
        if payment.status == PaymentStatus.REVERSED:
            raise BillingRuleError(
                ErrorCode.ALREADY_REVERSED, "The payment is already reversed.", field="paymentId"
            )
        if payment.refunded_cents:
            raise BillingRuleError(
                ErrorCode.INVALID_INPUT,
                "Part of this payment was paid back: it cannot be reversed.",
                field="paymentId",
            )
        allocations = await PaymentAllocation.filter(payment_id=payment.id).using_db(conn)
        invoices = await lock_client_invoices(
            conn,
            tenant_id=tenant_id,
            client_id=payment.client_id,
            invoice_ids=[allocation.invoice_id for allocation in allocations],
        )
        await PaymentAllocation.filter(payment_id=payment.id).using_db(conn).delete()
        tenant = await Tenant.get(id=tenant_id).using_db(conn)
        payment.status = PaymentStatus.REVERSED
        payment.allocated_cents = 0
        payment.reversed_on = today or today_in(tenant.timezone)
        payment.reversal_reason = reason
        await payment.save(
            using_db=conn,
            update_fields=["status", "allocated_cents", "reversed_on", "reversal_reason"],
        )
        await settle_balances(conn, list(invoices.values()))
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.REVERSAL,
            invoice_id=allocations[0].invoice_id if len(allocations) == 1 else None,
            detail={
                "payment_id": payment.id,
                "client_id": payment.client_id,
                "amount_cents": payment.amount_cents,
                "reason": reason,
                "allocations": allocation_detail(allocations),
            },
            using_db=conn,
        )
    return payment
