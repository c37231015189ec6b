"""Money received for an invoice: the payment, its allocation, the invoice's balance and status.

Whatever changes an invoice's balance or status (a payment, a void) first locks the invoice's row
with `lock_invoice` inside its transaction, then decides from what it read under the lock. On
PostgreSQL that is a row lock (`SELECT … FOR UPDATE`); SQLite serialises writers instead. So a
void and a payment of the same invoice never both succeed on what each read before the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.delivery.attempts import ChargeAttemptStatus
from billing.invoices.lifecycle import status_for_balance, takes_payment
from orm.models import ChargeAttempt, Invoice, Payment, PaymentAllocation


@dataclass(frozen=True, slots=True)
class AppliedPayment:
    """A recorded payment and the part of it the invoice took (the rest is the client's credit)."""

    payment: Payment
    allocation: PaymentAllocation | None

    @property
    def allocated_cents(self) -> int:
        return self.allocation.amount_cents if self.allocation else 0

    @property
    def unallocated_cents(self) -> int:
        return self.payment.amount_cents - self.allocated_cents


async def lock_invoice(
    *, tenant_id: int, invoice_id: int, conn: BaseDBAsyncClient
) -> Invoice | None:
    """The tenant's invoice, read under a row lock held until `conn`'s transaction ends."""
    return (
        await Invoice.filter(id=invoice_id, tenant_id=tenant_id)
        .select_for_update()
        .using_db(conn)
        .first()
    )


async def has_charge_in_flight(invoice_id: int, conn: BaseDBAsyncClient) -> bool:
    """Whether a Stripe charge of the invoice has started and not yet been settled.

    A void should refuse while this holds: the charge may still succeed.
    """
    return (
        await ChargeAttempt.filter(invoice_id=invoice_id, status=ChargeAttemptStatus.IN_FLIGHT)
        .using_db(conn)
        .exists()
    )


async def record_invoice_payment(
    invoice: Invoice,
    *,
    amount_cents: int,
    method: str,
    paid_on: date,
    conn: BaseDBAsyncClient,
    stripe_payment_intent_id: str | None = None,
) -> AppliedPayment:
    """Record a payment from the invoice's client and apply it to the invoice.

    `invoice` must have been read with `lock_invoice` in `conn`'s transaction. The payment is
    recorded whatever the invoice's state (the money was received); the invoice takes at most
    its balance, and nothing once it is void.
    """
    if amount_cents <= 0:
        raise ValueError(f"a payment must be above zero, not {amount_cents} cents")
    payment = await Payment.create(
        tenant_id=invoice.tenant_id,
        client_id=invoice.client_id,
        amount_cents=amount_cents,
        currency=invoice.currency,
        paid_on=paid_on,
        method=method,
        stripe_payment_intent_id=stripe_payment_intent_id,
        using_db=conn,
    )
    allocation = await allocate_payment(invoice, payment, amount_cents, conn=conn)
    return AppliedPayment(payment=payment, allocation=allocation)


async def allocate_payment(
    invoice: Invoice, payment: Payment, amount_cents: int, *, conn: BaseDBAsyncClient
) -> PaymentAllocation | None:
    """Allocate up to `amount_cents` of the payment to the locked invoice, lowering its balance
    and setting its status; None where the invoice takes no payment."""
    if not takes_payment(invoice.status, invoice.balance_cents):
        return None
    allocated = min(amount_cents, invoice.balance_cents)
    allocation = await PaymentAllocation.create(
        tenant_id=invoice.tenant_id,
        payment_id=payment.id,
        invoice_id=invoice.id,
        amount_cents=allocated,
        using_db=conn,
    )
    invoice.balance_cents -= allocated
    invoice.status = status_for_balance(invoice.balance_cents, invoice.total_cents)
    await invoice.save(using_db=conn, update_fields=["balance_cents", "status"])
    return allocation
