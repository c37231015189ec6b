"""Auto-charging invoices through Stripe (a local Stripe process), never twice."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
import stripe

from billing.delivery.attempts import ChargeAttemptStatus
from billing.delivery.charging import (
    NO_PAYMENT_METHOD,
    NO_STRIPE_CUSTOMER,
    ChargeOutcome,
    ChargeResult,
    TransientChargeError,
    charge_invoice,
)
from billing.invoices.lifecycle import InvoiceStatus
from billing.money import from_minor_units, to_minor_units
from orm.models import ChargeAttempt, Client, Invoice, Payment, PaymentAllocation, Tenant
from tests.support.services import free_port
from tests.support.stripe_server import (
    CARD_DECLINED,
    CARD_REQUIRES_ACTION,
    CARD_SUCCEEDS,
    TEST_API_KEY,
    LocalStripe,
    customer_with_card,
)

pytestmark = pytest.mark.asyncio

BALANCE_CENTS = 4_999


async def make_invoice(
    customer_id: str | None = None,
    payment_method_id: str | None = None,
    *,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
    balance_cents: int = BALANCE_CENTS,
    total_cents: int = BALANCE_CENTS,
    currency: str = "EUR",
) -> Invoice:
    """An issued invoice of a client whose card (where given) is saved on Stripe."""
    tenant = await Tenant.create(key="fibrenet", name="FibreNet", currency=currency)
    client = await Client.create(
        tenant=tenant,
        key="c1",
        name="Ada Lovelace",
        email="ada@example.test",
        stripe_customer_id=customer_id,
        stripe_payment_method_id=payment_method_id,
    )
    return await Invoice.create(
        tenant=tenant,
        client=client,
        number="INV-0001",
        status=status,
        issued_on=date(2026, 11, 1),
        due_on=date(2026, 11, 15),
        grace_until=date(2026, 11, 22),
        currency=currency,
        total_cents=total_cents,
        balance_cents=balance_cents,
    )


async def invoice_with_card(local: LocalStripe, card: str) -> tuple[Invoice, str]:
    customer_id, method_id = await customer_with_card(local.client(), card)
    return await make_invoice(customer_id, method_id), customer_id


async def charge(invoice: Invoice, local: LocalStripe) -> ChargeOutcome:
    return await charge_invoice(
        tenant_id=invoice.tenant_id, invoice_id=invoice.id, client=local.client()
    )


def unreachable_stripe() -> stripe.StripeClient:
    """A client whose every call fails to connect (at once: the SDK's own retries are off)."""
    return stripe.StripeClient(
        TEST_API_KEY,
        base_addresses={"api": f"http://127.0.0.1:{free_port()}"},
        max_network_retries=0,
    )


async def attempts_of(invoice: Invoice) -> list[ChargeAttempt]:
    return await ChargeAttempt.filter(invoice_id=invoice.id).order_by("id")


async def test_successful_charge_pays_the_invoice(db: str, local_stripe: LocalStripe) -> None:
    invoice, _ = await invoice_with_card(local_stripe, CARD_SUCCEEDS)

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.SUCCEEDED
    await invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.balance_cents == 0
    [payment] = await Payment.filter(client_id=invoice.client_id)
    assert payment.id == outcome.payment_id
    assert payment.method == "card"
    assert payment.amount_cents == BALANCE_CENTS
    assert payment.currency == "EUR"
    assert payment.stripe_payment_intent_id == outcome.payment_intent_id
    [allocation] = await PaymentAllocation.filter(invoice_id=invoice.id)
    assert allocation.payment_id == payment.id and allocation.amount_cents == BALANCE_CENTS


async def test_successful_charge_records_the_attempt_with_its_intent(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, customer_id = await invoice_with_card(local_stripe, CARD_SUCCEEDS)

    outcome = await charge(invoice, local_stripe)

    [attempt] = await attempts_of(invoice)
    assert attempt.id == outcome.attempt_id
    assert attempt.status == ChargeAttemptStatus.SUCCEEDED
    assert attempt.amount_cents == BALANCE_CENTS and attempt.currency == "EUR"
    assert attempt.stripe_payment_intent_id == outcome.payment_intent_id
    assert attempt.finished_at is not None
    [intent] = await local_stripe.intents_of_customer(customer_id)
    assert intent.id == attempt.stripe_payment_intent_id
    assert (intent.amount, intent.currency, intent.status) == (BALANCE_CENTS, "eur", "succeeded")
    assert intent.metadata["charge_attempt_id"] == str(attempt.id)


async def test_declined_card_is_recorded_and_the_invoice_stays_unpaid(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, _ = await invoice_with_card(local_stripe, CARD_DECLINED)

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.FAILED
    assert outcome.error_code == "card_declined"
    [attempt] = await attempts_of(invoice)
    assert attempt.status == ChargeAttemptStatus.FAILED
    assert attempt.error_code == "card_declined"
    assert attempt.error_message
    await invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.UNPAID, BALANCE_CENTS)
    assert await Payment.all().count() == 0


@pytest.mark.parametrize(
    ("currency", "balance"),
    [("JPY", "5000"), ("BHD", "1.234"), ("EUR", "49.99")],
)
async def test_stripe_charges_the_balance_in_the_currency_minor_units(
    db: str, local_stripe: LocalStripe, currency: str, balance: str
) -> None:
    customer_id, method_id = await customer_with_card(local_stripe.client(), CARD_SUCCEEDS)
    units = to_minor_units(balance, currency)
    invoice = await make_invoice(
        customer_id, method_id, balance_cents=units, total_cents=units, currency=currency
    )

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.SUCCEEDED
    intent = await local_stripe.client().v1.payment_intents.retrieve_async(
        outcome.payment_intent_id
    )
    assert (intent.amount, intent.currency) == (units, currency.lower())
    payment = await Payment.get(stripe_payment_intent_id=intent.id)
    assert payment.amount_cents == units
    assert from_minor_units(payment.amount_cents, payment.currency) == Decimal(balance)
    await invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.PAID, 0)


async def test_card_asking_for_authentication_leaves_the_invoice_unpaid(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, _ = await invoice_with_card(local_stripe, CARD_REQUIRES_ACTION)

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.REQUIRES_ACTION
    [attempt] = await attempts_of(invoice)
    assert attempt.status == ChargeAttemptStatus.REQUIRES_ACTION
    assert attempt.stripe_payment_intent_id == outcome.payment_intent_id is not None
    await invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID
    assert await Payment.all().count() == 0


@pytest.mark.parametrize(
    ("customer_id", "method_id", "error_code"),
    [(None, None, NO_STRIPE_CUSTOMER), ("cus_123", None, NO_PAYMENT_METHOD)],
    ids=["no-customer", "no-payment-method"],
)
async def test_client_without_saved_card_is_recorded_without_calling_stripe(
    db: str, customer_id: str | None, method_id: str | None, error_code: str
) -> None:
    invoice = await make_invoice(customer_id, method_id)

    # Any call to this client would fail to connect.
    outcome = await charge_invoice(
        tenant_id=invoice.tenant_id, invoice_id=invoice.id, client=unreachable_stripe()
    )

    assert outcome.result == ChargeResult.FAILED and outcome.error_code == error_code
    [attempt] = await attempts_of(invoice)
    assert attempt.status == ChargeAttemptStatus.FAILED
    assert attempt.error_code == error_code
    assert attempt.stripe_payment_intent_id is None


async def test_charging_again_after_success_does_not_charge_twice(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, customer_id = await invoice_with_card(local_stripe, CARD_SUCCEEDS)

    first = await charge(invoice, local_stripe)
    second = await charge(invoice, local_stripe)

    assert first.result == ChargeResult.SUCCEEDED
    assert second.result == ChargeResult.SKIPPED
    assert len(await local_stripe.intents_of_customer(customer_id)) == 1
    assert await Payment.all().count() == 1


async def test_job_that_died_after_stripe_charged_is_reconciled_not_charged_again(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, customer_id = await invoice_with_card(local_stripe, CARD_SUCCEEDS)
    client = await Client.get(id=invoice.client_id)
    # The dead job wrote its attempt, Stripe charged, the intent id was stored, then it died.
    attempt = await ChargeAttempt.create(
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.id,
        amount_cents=BALANCE_CENTS,
        currency="EUR",
        status=ChargeAttemptStatus.IN_FLIGHT,
    )
    intent = await local_stripe.client().v1.payment_intents.create_async(
        {
            "amount": BALANCE_CENTS,
            "currency": "eur",
            "customer": customer_id,
            "payment_method": client.stripe_payment_method_id,
            "off_session": True,
            "confirm": True,
        }
    )
    await ChargeAttempt.filter(id=attempt.id).update(stripe_payment_intent_id=intent.id)

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.SUCCEEDED
    assert outcome.attempt_id == attempt.id and outcome.payment_intent_id == intent.id
    assert [i.id for i in await local_stripe.intents_of_customer(customer_id)] == [intent.id]
    [stored] = await attempts_of(invoice)
    assert stored.status == ChargeAttemptStatus.SUCCEEDED
    [payment] = await Payment.all()
    assert payment.stripe_payment_intent_id == intent.id
    await invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


async def test_two_jobs_at_once_charge_once(db: str, local_stripe: LocalStripe) -> None:
    invoice, customer_id = await invoice_with_card(local_stripe, CARD_SUCCEEDS)

    outcomes = await asyncio.gather(charge(invoice, local_stripe), charge(invoice, local_stripe))

    assert sorted(outcome.result for outcome in outcomes) == [
        ChargeResult.SKIPPED,
        ChargeResult.SUCCEEDED,
    ]
    assert len(await local_stripe.intents_of_customer(customer_id)) == 1
    assert await Payment.all().count() == 1


async def test_attempt_in_flight_without_an_intent_stops_the_job(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, customer_id = await invoice_with_card(local_stripe, CARD_SUCCEEDS)
    attempt = await ChargeAttempt.create(
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.id,
        amount_cents=BALANCE_CENTS,
        currency="EUR",
        status=ChargeAttemptStatus.IN_FLIGHT,
    )

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.SKIPPED
    assert outcome.attempt_id == attempt.id and "in flight" in (outcome.reason or "")
    assert await local_stripe.intents_of_customer(customer_id) == []
    assert len(await attempts_of(invoice)) == 1


async def test_attempt_whose_intent_stripe_does_not_know_stays_in_flight(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, customer_id = await invoice_with_card(local_stripe, CARD_SUCCEEDS)
    attempt = await ChargeAttempt.create(
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.id,
        amount_cents=BALANCE_CENTS,
        currency="EUR",
        status=ChargeAttemptStatus.IN_FLIGHT,
        stripe_payment_intent_id="pi_unknown",
    )

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.SKIPPED and "pi_unknown" in (outcome.reason or "")
    await attempt.refresh_from_db()
    assert attempt.status == ChargeAttemptStatus.IN_FLIGHT
    assert await local_stripe.intents_of_customer(customer_id) == []


async def test_unreachable_stripe_leaves_the_attempt_in_flight_and_asks_for_a_retry(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, _ = await invoice_with_card(local_stripe, CARD_SUCCEEDS)

    with pytest.raises(TransientChargeError):
        await charge_invoice(
            tenant_id=invoice.tenant_id, invoice_id=invoice.id, client=unreachable_stripe()
        )

    [attempt] = await attempts_of(invoice)
    assert attempt.status == ChargeAttemptStatus.IN_FLIGHT
    assert attempt.error_code == "api_connection_error"
    await invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID


async def test_retry_after_stripe_was_unreachable_sends_the_same_attempt_again(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, customer_id = await invoice_with_card(local_stripe, CARD_SUCCEEDS)
    with pytest.raises(TransientChargeError):
        await charge_invoice(
            tenant_id=invoice.tenant_id, invoice_id=invoice.id, client=unreachable_stripe()
        )

    outcome = await charge(invoice, local_stripe)

    assert outcome.result == ChargeResult.SUCCEEDED
    statuses = [attempt.status for attempt in await attempts_of(invoice)]
    assert statuses == [ChargeAttemptStatus.SUCCEEDED]
    assert len(await local_stripe.intents_of_customer(customer_id)) == 1


@pytest.mark.parametrize(
    ("status", "balance_cents"),
    [
        (InvoiceStatus.DRAFT, BALANCE_CENTS),
        (InvoiceStatus.VOID, 0),
        (InvoiceStatus.PAID, 0),
        (InvoiceStatus.UNPAID, 0),
    ],
    ids=["draft", "void", "paid", "zero-balance"],
)
async def test_invoice_owing_nothing_is_not_charged(
    db: str, status: InvoiceStatus, balance_cents: int
) -> None:
    invoice = await make_invoice("cus_123", "pm_123", status=status, balance_cents=balance_cents)

    outcome = await charge_invoice(
        tenant_id=invoice.tenant_id, invoice_id=invoice.id, client=unreachable_stripe()
    )

    assert outcome.result == ChargeResult.SKIPPED and outcome.reason
    assert await attempts_of(invoice) == []


async def test_invoice_of_another_tenant_is_not_charged(db: str) -> None:
    invoice = await make_invoice("cus_123", "pm_123")
    other = await Tenant.create(key="other", name="Other ISP")

    outcome = await charge_invoice(
        tenant_id=other.id, invoice_id=invoice.id, client=unreachable_stripe()
    )

    assert outcome.result == ChargeResult.SKIPPED
    assert await attempts_of(invoice) == []
