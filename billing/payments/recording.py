"""Recording money a client paid (cash, transfer, cheque, card, direct debit) and allocating it.

The money goes to the invoices named, in their order, or else to the client's open invoices
oldest due date first; never more to an invoice than its balance. What is left over is the
client's credit balance. A payment is recorded whole even where no invoice takes any of it (the
money was received). Stripe's card charges and bank statement entries are recorded here too, as
the same Payment rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.dates import today_in
from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import claim, complete, idempotent_request, purge_expired
from billing.money import to_minor_units
from billing.payments.allocation import allocate_payment, allocation_detail
from billing.payments.locks import lock_client, lock_invoices_to_pay
from billing.payments.methods import PaymentMethod
from billing.text import single_line_text_problem
from orm.models import Payment, Tenant

OPERATION = "record_payment"
MAX_REFERENCE_LENGTH = 255
MAX_NAMED_INVOICES = 100
# A payment dated further back than this is a typing mistake, not a late entry.
OLDEST_PAYMENT = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A payment as a person enters it. `currency` None: the tenant's."""

    client_id: int
    amount: Decimal
    received_on: date
    method: PaymentMethod
    reference: str | None = None
    invoice_ids: tuple[int, ...] | None = None
    currency: str | None = None

    def fingerprint_input(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "amount": str(self.amount),
            "received_on": self.received_on.isoformat(),
            "method": self.method.value,
            "reference": self.reference,
            "invoice_ids": None if self.invoice_ids is None else list(self.invoice_ids),
            "currency": self.currency,
        }


async def record_payment(
    *,
    tenant_id: int,
    user_id: int | None,
    request: PaymentRequest,
    idempotency_key: str | None = None,
) -> Payment:
    """Record and allocate the payment in one transaction (BillingRuleError where the input,
    the client, a named invoice or the key refuse; then nothing is recorded). Repeated under its
    idempotency key it returns the first payment and records nothing more."""
    _check_reference(request.reference)
    if request.invoice_ids is not None and len(request.invoice_ids) > MAX_NAMED_INVOICES:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT,
            f"At most {MAX_NAMED_INVOICES} invoices can be named for one payment.",
            field="invoiceIds",
        )
    idempotent = idempotent_request(
        tenant_id, idempotency_key, OPERATION, request.fingerprint_input()
    )
    if idempotent is not None:
        await purge_expired(tenant_id)
    async with in_transaction() as conn:
        if (earlier := await claim(idempotent, conn)) is not None:
            return await Payment.get(id=earlier["payment_id"]).using_db(conn)
        tenant = await Tenant.get(id=tenant_id).using_db(conn)
        amount_cents = _amount_in_minor_units(request, tenant)
        _check_received_on(request.received_on, today_in(tenant.timezone))
        payment = await record_payment_in(
            conn,
            tenant=tenant,
            client_id=request.client_id,
            amount_cents=amount_cents,
            received_on=request.received_on,
            method=request.method,
            reference=request.reference.strip() if request.reference else None,
            invoice_ids=request.invoice_ids,
            user_id=user_id,
        )
        await complete(idempotent, {"payment_id": payment.id}, conn)
    return payment


async def record_payment_in(
    conn: BaseDBAsyncClient,
    *,
    tenant: Tenant,
    client_id: int,
    amount_cents: int,
    received_on: date,
    method: PaymentMethod,
    reference: str | None,
    invoice_ids: Sequence[int] | None,
    then_oldest: bool = False,
    user_id: int | None,
    stripe_payment_intent_id: str | None = None,
) -> Payment:
    """Record the payment inside the caller's transaction: lock the client, then the invoices;
    allocate to `invoice_ids` in order (with `then_oldest`, what they leave goes on to the
    client's other open invoices oldest due first), else to the open invoices oldest due first;
    write the audit record. Raises NOT_FOUND for an unknown client or invoice and NOT_PAYABLE
    for a named invoice that takes no payment."""
    if amount_cents <= 0:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT, "The amount must be above zero.", field="amount"
        )
    client = await lock_client(conn, tenant_id=tenant.id, client_id=client_id)
    if client is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such client.", field="clientId")
    invoices = await lock_invoices_to_pay(
        conn,
        tenant_id=tenant.id,
        client_id=client_id,
        invoice_ids=invoice_ids,
        then_oldest=then_oldest,
    )
    payment = await Payment.create(
        tenant_id=tenant.id,
        client_id=client_id,
        amount_cents=amount_cents,
        currency=tenant.currency,
        paid_on=received_on,
        method=method.value,
        reference=reference,
        stripe_payment_intent_id=stripe_payment_intent_id,
        using_db=conn,
    )
    allocations = await allocate_payment(conn, payment, invoices, amount_cents)
    await record_action(
        tenant_id=tenant.id,
        user_id=user_id,
        action=AuditAction.PAYMENT,
        invoice_id=allocations[0].invoice_id if len(allocations) == 1 else None,
        detail={
            "payment_id": payment.id,
            "client_id": client_id,
            "amount_cents": amount_cents,
            "method": method.value,
            "reference": reference,
            "allocations": allocation_detail(allocations),
        },
        using_db=conn,
    )
    return payment


def _amount_in_minor_units(request: PaymentRequest, tenant: Tenant) -> int:
    if request.currency is not None and request.currency.strip().upper() != tenant.currency:
        raise BillingRuleError(
            ErrorCode.CURRENCY_MISMATCH,
            f"Payments are recorded in {tenant.currency}, the tenant's currency, "
            f"not {request.currency}.",
            field="currency",
        )
    try:
        amount_cents = to_minor_units(request.amount, tenant.currency)
    except BillingRuleError as error:
        raise BillingRuleError(error.code, error.message, field="amount") from error
    if amount_cents <= 0:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT, "The amount must be above zero.", field="amount"
        )
    return amount_cents


def _check_received_on(received_on: date, today: date) -> None:
    # A day ahead of the tenant's today is allowed: the client's clock may be a zone ahead.
    if not OLDEST_PAYMENT <= received_on <= today + timedelta(days=1):
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT,
            f"The payment must have been received between {OLDEST_PAYMENT.isoformat()} "
            f"and today ({today.isoformat()}).",
            field="receivedOn",
        )


def _check_reference(reference: str | None) -> None:
    if reference is None:
        return
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT,
            f"The reference must be at most {MAX_REFERENCE_LENGTH} characters long.",
            field="reference",
        )
    if problem := single_line_text_problem(reference):
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT, f"The reference {problem}.", field="reference"
        )
