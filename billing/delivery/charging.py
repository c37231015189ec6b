"""Auto-charge: collect an invoice's balance off-session with the client's saved card on Stripe.

Every charge is a `ChargeAttempt`. The attempt is written (in flight, one per invoice) before
Stripe is called, and the PaymentIntent's id is stored on it as soon as Stripe answers, so a
retried job never charges twice: a job that finds an in-flight attempt with an intent reconciles
that intent instead of creating another. The attempt's id is the Stripe idempotency key.

Amounts go to Stripe in the currency's minor units, as the tables hold them (JPY 5000 is
`amount=5000`, BHD 1.234 is `amount=1234`). A payment the client must authenticate
(`requires_action`) ends with Stripe's webhook event for its intent (`settle_intent_event`),
settled by the same rules as a charge job's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import stripe
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billing.dates import today_in
from billing.delivery.attempts import ChargeAttemptStatus
from billing.invoices.lifecycle import auto_charge_refusal, takes_payment
from billing.money import format_money
from billing.payments.locks import lock_invoice
from billing.payments.methods import PaymentMethod
from billing.payments.recording import record_payment_in
from orm.models import ChargeAttempt, Client, Invoice, Payment, Tenant

NO_STRIPE_CUSTOMER = "no_stripe_customer"
NO_PAYMENT_METHOD = "no_payment_method"
# The SDK retries a lost connection, a 409 and a 5xx itself, with the same idempotency key.
NETWORK_RETRIES = 2

# Stripe could not be reached, or failed on its side: the same request may succeed later.
TRANSIENT_STRIPE_ERRORS = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)
# An in-flight attempt this old, with no answer recorded, belongs to a job that died mid-call
# (Stripe's own request timeout is 80 s).
ABANDONED_AFTER = timedelta(minutes=15)
# Attempts Stripe may still charge: in flight, or waiting for the client to authenticate.
OPEN_ATTEMPT_STATUSES = (ChargeAttemptStatus.IN_FLIGHT, ChargeAttemptStatus.REQUIRES_ACTION)
# The webhook events that settle an attempt; Stripe sends others, which are acknowledged.
SETTLING_EVENTS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})


class TransientChargeError(Exception):
    """Stripe was unreachable or failed on its side; the job should be retried with backoff."""


class ChargeResult(StrEnum):
    SUCCEEDED = "succeeded"
    REQUIRES_ACTION = "requires_action"
    # Stripe has not finished (e.g. a bank debit): the attempt stays in flight to be reconciled.
    PROCESSING = "processing"
    # Declined, or the client cannot be charged: a failed attempt is recorded.
    FAILED = "failed"
    # Nothing was attempted: the invoice owes nothing, is not issued, or a charge is in flight.
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class ChargeOutcome:
    """What a charge job did, and why where it did not charge."""

    result: ChargeResult
    reason: str | None = None
    attempt_id: int | None = None
    payment_intent_id: str | None = None
    error_code: str | None = None
    payment_id: int | None = None


@dataclass(frozen=True, slots=True)
class _PlannedCharge:
    """An in-flight attempt to send to Stripe (a new one) or to reconcile (one with an intent)."""

    attempt: ChargeAttempt
    customer_id: str | None = None
    payment_method_id: str | None = None


def stripe_client(api_key: str, api_base: str | None) -> stripe.StripeClient:
    """A Stripe client for the key, talking to `api_base` where given (a local Stripe in tests)."""
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=NETWORK_RETRIES,
    )


async def charge_invoice(
    *, tenant_id: int, invoice_id: int, client: stripe.StripeClient
) -> ChargeOutcome:
    """Charge the invoice's balance to the client's saved card, once.

    Raises TransientChargeError when Stripe could not be reached or failed on its side (the
    attempt is recorded first); a decline is recorded and returned, not raised.
    """
    try:
        plan = await _plan_charge(tenant_id, invoice_id)
    except IntegrityError:
        # Another job wrote its in-flight attempt between our read and our write.
        return ChargeOutcome(ChargeResult.SKIPPED, reason="another charge attempt is in flight")
    if isinstance(plan, ChargeOutcome):
        return plan
    intent_id = plan.attempt.stripe_payment_intent_id
    if intent_id is not None:
        return await _reconcile_attempt(plan.attempt, intent_id, client)
    return await _send_attempt(plan, client)


async def _plan_charge(tenant_id: int, invoice_id: int) -> _PlannedCharge | ChargeOutcome:
    """Under the invoice's lock: why not to charge, or the in-flight attempt to go on with."""
    async with in_transaction() as conn:
        invoice = await lock_invoice(tenant_id=tenant_id, invoice_id=invoice_id, conn=conn)
        if invoice is None:
            return ChargeOutcome(ChargeResult.SKIPPED, reason="the invoice does not exist")
        in_flight = await _in_flight_attempt(invoice.id, conn)
        if in_flight is not None:
            client = await Client.get(id=invoice.client_id).using_db(conn)
            return _continue_in_flight(in_flight, client)
        refusal = auto_charge_refusal(invoice.status, balance_cents=invoice.balance_cents)
        if refusal is not None:
            return ChargeOutcome(ChargeResult.SKIPPED, reason=refusal.message)
        client = await Client.get(id=invoice.client_id).using_db(conn)
        missing = _missing_card(client)
        if missing is not None:
            return await _record_not_chargeable(invoice, *missing, conn=conn)
        attempt = await ChargeAttempt.create(
            tenant_id=invoice.tenant_id,
            invoice_id=invoice.id,
            amount_cents=invoice.balance_cents,
            currency=invoice.currency,
            status=ChargeAttemptStatus.IN_FLIGHT,
            using_db=conn,
        )
        return _PlannedCharge(
            attempt,
            customer_id=client.stripe_customer_id,
            payment_method_id=client.stripe_payment_method_id,
        )


async def _in_flight_attempt(invoice_id: int, conn: BaseDBAsyncClient) -> ChargeAttempt | None:
    return (
        await ChargeAttempt.filter(invoice_id=invoice_id, status=ChargeAttemptStatus.IN_FLIGHT)
        .using_db(conn)
        .first()
    )


def _continue_in_flight(attempt: ChargeAttempt, client: Client) -> _PlannedCharge | ChargeOutcome:
    """An attempt with an intent is reconciled. One without whose last call went unanswered (or
    whose job died long ago) is sent again under the same idempotency key, which Stripe answers
    with the first call's result instead of charging again. Otherwise a call may be under way
    right now, and this job stops."""
    if attempt.stripe_payment_intent_id is not None:
        return _PlannedCharge(attempt)
    if attempt.error_code is not None or _now() - attempt.created_at > ABANDONED_AFTER:
        return _PlannedCharge(
            attempt,
            customer_id=client.stripe_customer_id,
            payment_method_id=client.stripe_payment_method_id,
        )
    return ChargeOutcome(
        ChargeResult.SKIPPED,
        reason=(
            f"charge attempt {attempt.id} is in flight since {attempt.created_at.isoformat()}; "
            "if no job is still running it, look in Stripe for a payment intent with metadata "
            f"charge_attempt_id={attempt.id} before settling it"
        ),
        attempt_id=attempt.id,
    )


def _missing_card(client: Client) -> tuple[str, str] | None:
    """The error code and sentence where the client has no card saved on Stripe."""
    if not client.stripe_customer_id:
        return NO_STRIPE_CUSTOMER, "the client has no Stripe customer"
    if not client.stripe_payment_method_id:
        return NO_PAYMENT_METHOD, "the client has no saved payment method"
    return None


async def _record_not_chargeable(
    invoice: Invoice, error_code: str, message: str, *, conn: BaseDBAsyncClient
) -> ChargeOutcome:
    attempt = await ChargeAttempt.create(
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.id,
        amount_cents=invoice.balance_cents,
        currency=invoice.currency,
        status=ChargeAttemptStatus.FAILED,
        error_code=error_code,
        error_message=message,
        finished_at=_now(),
        using_db=conn,
    )
    return ChargeOutcome(
        ChargeResult.FAILED, reason=message, attempt_id=attempt.id, error_code=error_code
    )


async def _send_attempt(plan: _PlannedCharge, client: stripe.StripeClient) -> ChargeOutcome:
    """Create and confirm the off-session PaymentIntent of a new attempt, and settle it."""
    attempt = plan.attempt
    try:
        intent = await client.v1.payment_intents.create_async(
            {
                "amount": attempt.amount_cents,
                "currency": attempt.currency.lower(),
                "customer": plan.customer_id,
                "payment_method": plan.payment_method_id,
                "off_session": True,
                "confirm": True,
                "metadata": {
                    "tenant_id": str(attempt.tenant_id),
                    "invoice_id": str(attempt.invoice_id),
                    "charge_attempt_id": str(attempt.id),
                },
            },
            {"idempotency_key": f"charge-attempt-{attempt.id}"},
        )
    except stripe.CardError as exc:
        return await _record_decline(attempt, exc)
    except TRANSIENT_STRIPE_ERRORS as exc:
        # Stripe may or may not have charged: the attempt stays in flight, and the retried job
        # sends it again under the same idempotency key.
        code, message = _error_of(exc)
        await ChargeAttempt.filter(id=attempt.id).update(error_code=code, error_message=message)
        raise TransientChargeError(f"Stripe did not answer the charge: {exc}") from exc
    except stripe.StripeError as exc:
        return await _record_refusal(attempt, exc)
    await _store_intent_id(attempt, intent.id)
    return await _settle_intent(attempt, intent)


async def _reconcile_attempt(
    attempt: ChargeAttempt, intent_id: str, client: stripe.StripeClient
) -> ChargeOutcome:
    """Settle an in-flight attempt from its PaymentIntent as Stripe has it now.

    Whatever goes wrong here, the attempt stays in flight with its intent: Stripe may have
    charged, so no new attempt may start before a job (or a person) has settled this one.
    """
    try:
        intent = await client.v1.payment_intents.retrieve_async(intent_id)
    except TRANSIENT_STRIPE_ERRORS as exc:
        raise TransientChargeError(f"Stripe did not answer the reconciliation: {exc}") from exc
    except stripe.StripeError as exc:
        code, message = _error_of(exc)
        return ChargeOutcome(
            ChargeResult.SKIPPED,
            reason=f"Stripe refused to show payment intent {intent_id}: {message}",
            attempt_id=attempt.id,
            payment_intent_id=intent_id,
            error_code=code,
        )
    return await _settle_intent(attempt, intent)


async def settle_intent_event(event: stripe.Event) -> ChargeOutcome | None:
    """Settle the charge attempt a verified Stripe webhook event is about, exactly once.

    `payment_intent.succeeded` records the payment and allocates it to the attempt's invoice;
    `payment_intent.payment_failed` fails the attempt with Stripe's code. None where the event
    settles nothing: another type, or an intent no attempt of this product made.
    """
    if event.type not in SETTLING_EVENTS:
        return None
    intent = event.data.object
    attempt = await ChargeAttempt.filter(stripe_payment_intent_id=intent.id).first()
    if attempt is None:
        return None
    try:
        return await _settle_intent(attempt, intent)
    except IntegrityError:
        # Another delivery of the event recorded the payment first: the unique intent id on
        # payments is the last word.
        payment = await Payment.filter(stripe_payment_intent_id=intent.id).first()
        return _succeeded(attempt, intent, payment, "the payment was already recorded")


async def _settle_intent(attempt: ChargeAttempt, intent: stripe.PaymentIntent) -> ChargeOutcome:
    """Record what the PaymentIntent's status means for the attempt and the invoice."""
    if intent.status == "succeeded":
        return await _record_success(attempt, intent)
    if intent.status == "requires_action":
        await _finish_attempt(attempt, ChargeAttemptStatus.REQUIRES_ACTION)
        return ChargeOutcome(
            ChargeResult.REQUIRES_ACTION,
            reason="the card issuer asks the client to authenticate the payment",
            attempt_id=attempt.id,
            payment_intent_id=intent.id,
        )
    if intent.status == "processing":
        return ChargeOutcome(
            ChargeResult.PROCESSING,
            reason="Stripe is still processing the payment",
            attempt_id=attempt.id,
            payment_intent_id=intent.id,
        )
    error = intent.last_payment_error
    code = (error.code if error else None) or f"intent_{intent.status}"
    message = (error.message if error else None) or f"the payment intent is {intent.status}"
    await _finish_attempt(attempt, ChargeAttemptStatus.FAILED, code, message)
    return ChargeOutcome(
        ChargeResult.FAILED,
        reason=message,
        attempt_id=attempt.id,
        payment_intent_id=intent.id,
        error_code=code,
    )


async def _record_success(attempt: ChargeAttempt, intent: stripe.PaymentIntent) -> ChargeOutcome:
    """In one transaction: the attempt succeeded, the payment is recorded and applied."""
    amount_cents = getattr(intent, "amount_received", None) or intent.amount
    async with in_transaction() as conn:
        invoice = await lock_invoice(
            tenant_id=attempt.tenant_id, invoice_id=attempt.invoice_id, conn=conn
        )
        if invoice is None:
            # Deleted meanwhile (development only), its attempts with it.
            return _succeeded(attempt, intent, None, "the invoice was deleted; nothing recorded")
        # Read after the invoice lock: a job reconciling the same attempt may have settled it.
        current = await ChargeAttempt.get(id=attempt.id).using_db(conn)
        existing = await Payment.filter(stripe_payment_intent_id=intent.id).using_db(conn).first()
        if current.status == ChargeAttemptStatus.SUCCEEDED or existing is not None:
            return _succeeded(attempt, intent, existing, "the payment was already recorded")
        # Whatever the attempt said before, Stripe has the money: success is the last word.
        await (
            ChargeAttempt.filter(id=attempt.id)
            .using_db(conn)
            .update(
                status=ChargeAttemptStatus.SUCCEEDED,
                stripe_payment_intent_id=intent.id,
                error_code=None,
                error_message=None,
                finished_at=_now(),
            )
        )
        tenant = await Tenant.get(id=invoice.tenant_id).using_db(conn)
        payment = await record_payment_in(
            conn,
            tenant=tenant,
            client_id=invoice.client_id,
            amount_cents=amount_cents,
            received_on=today_in(tenant.timezone),
            method=PaymentMethod.CARD,
            reference=intent.id,
            # Stripe has the money whatever the invoice owes now: what it does not take is
            # the client's credit.
            invoice_ids=[invoice.id]
            if takes_payment(invoice.status, invoice.balance_cents)
            else [],
            user_id=None,
            stripe_payment_intent_id=intent.id,
        )
    note = None
    if unallocated_cents := payment.amount_cents - payment.allocated_cents:
        unallocated = format_money(unallocated_cents, invoice.currency)
        note = f"{unallocated} were not allocated: the invoice did not owe them"
    return _succeeded(attempt, intent, payment, note)


def _succeeded(
    attempt: ChargeAttempt,
    intent: stripe.PaymentIntent,
    payment: Payment | None,
    note: str | None,
) -> ChargeOutcome:
    return ChargeOutcome(
        ChargeResult.SUCCEEDED,
        reason=note,
        attempt_id=attempt.id,
        payment_intent_id=intent.id,
        payment_id=payment.id if payment else None,
    )


async def _record_decline(attempt: ChargeAttempt, exc: stripe.CardError) -> ChargeOutcome:
    """A declined card: the attempt fails with Stripe's code, the invoice stays unpaid."""
    code, message = _error_of(exc)
    intent_id = _intent_id_of(exc)
    await _finish_attempt(
        attempt, ChargeAttemptStatus.FAILED, code, message, payment_intent_id=intent_id
    )
    return ChargeOutcome(
        ChargeResult.FAILED,
        reason=message,
        attempt_id=attempt.id,
        payment_intent_id=intent_id,
        error_code=code,
    )


async def _record_refusal(attempt: ChargeAttempt, exc: stripe.StripeError) -> ChargeOutcome:
    """Stripe refused the request itself (bad key, unknown customer): retrying will not help."""
    code, message = _error_of(exc)
    await _finish_attempt(attempt, ChargeAttemptStatus.FAILED, code, message)
    return ChargeOutcome(
        ChargeResult.FAILED, reason=message, attempt_id=attempt.id, error_code=code
    )


async def _store_intent_id(attempt: ChargeAttempt, intent_id: str) -> None:
    """Written at once, so a job that dies before settling leaves an intent to reconcile."""
    await ChargeAttempt.filter(id=attempt.id).update(stripe_payment_intent_id=intent_id)
    attempt.stripe_payment_intent_id = intent_id


async def _finish_attempt(
    attempt: ChargeAttempt,
    status: ChargeAttemptStatus,
    error_code: str | None = None,
    error_message: str | None = None,
    *,
    payment_intent_id: str | None = None,
) -> None:
    """Close an open attempt with its final status (a settled attempt is left alone)."""
    changes: dict[str, object] = {
        "status": status,
        "error_code": error_code,
        "error_message": error_message,
        "finished_at": _now(),
    }
    if payment_intent_id is not None:
        changes["stripe_payment_intent_id"] = payment_intent_id
    await ChargeAttempt.filter(id=attempt.id, status__in=OPEN_ATTEMPT_STATUSES).update(**changes)


def _error_of(exc: stripe.StripeError) -> tuple[str, str]:
    """Stripe's error code, else its error type, else the kind of failure; and the message."""
    fallback = (
        "api_connection_error" if isinstance(exc, stripe.APIConnectionError) else "stripe_error"
    )
    code = exc.code or getattr(exc.error, "type", None) or fallback
    return code, exc.user_message or str(exc)


def _intent_id_of(exc: stripe.StripeError) -> str | None:
    """The PaymentIntent a decline names, where Stripe sends one."""
    intent = getattr(exc.error, "payment_intent", None)
    if isinstance(intent, str):
        return intent
    return getattr(intent, "id", None)


def _now() -> datetime:
    return datetime.now(UTC)
