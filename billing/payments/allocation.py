"""Allocating money to invoices: never more to an invoice than its balance, in the order given.

The invoices must be locked by the caller (`billing.payments.locks`); their balances and statuses
are then derived from the records (`billing.payments.balances`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.delivery.attempts import ChargeAttemptStatus
from billing.invoices.lifecycle import takes_payment
from billing.payments.balances import settle_balances
from orm.models import ChargeAttempt, Invoice, Payment, PaymentAllocation


@dataclass(frozen=True, slots=True)
class Share:
    """What one invoice takes of some money."""

    invoice: Invoice
    amount_cents: int


def shares_of(amount_cents: int, invoices: Sequence[Invoice]) -> list[Share]:
    """How `amount_cents` spreads over the invoices in their order: each takes up to its balance,
    invoices that take no payment take nothing; what is left is not in the list."""
    shares: list[Share] = []
    left = amount_cents
    for invoice in invoices:
        if left <= 0:
            break
        if not takes_payment(invoice.status, invoice.balance_cents):
            continue
        taken = min(left, invoice.balance_cents)
        shares.append(Share(invoice, taken))
        left -= taken
    return shares


async def allocate_payment(
    conn: BaseDBAsyncClient, payment: Payment, invoices: Sequence[Invoice], amount_cents: int
) -> list[PaymentAllocation]:
    """Allocate up to `amount_cents` of the payment to the locked invoices in order; the
    payment's allocated sum and each invoice's balance and status follow."""
    shares = shares_of(amount_cents, invoices)
    if not shares:
        return []
    allocations = [
        await PaymentAllocation.create(
            tenant_id=payment.tenant_id,
            payment_id=payment.id,
            invoice_id=share.invoice.id,
            amount_cents=share.amount_cents,
            using_db=conn,
        )
        for share in shares
    ]
    payment.allocated_cents += sum(share.amount_cents for share in shares)
    await payment.save(using_db=conn, update_fields=["allocated_cents"])
    await settle_balances(conn, [share.invoice for share in shares])
    return allocations


def allocation_detail(allocations: Sequence[PaymentAllocation]) -> list[dict[str, int]]:
    """The allocations as the audit trail keeps them."""
    return [
        {"invoice_id": allocation.invoice_id, "amount_cents": allocation.amount_cents}
        for allocation in allocations
    ]


async def has_charge_in_flight(invoice_id: int, conn: BaseDBAsyncClient) -> bool:
    """Whether a Stripe charge of the invoice has started and not yet been settled.

    A void should refuse while this holds: the charge may still succeed.
    """
    return (
        await ChargeAttempt.filter(invoice_id=invoice_id, status=ChargeAttemptStatus.IN_FLIGHT)
        .using_db(conn)
        .exists()
    )
