"""External faults, Stripe: answering 500 (or a proxy's 502), timing out, an answer lost after
Stripe charged, declining. Retried as designed (the SDK retries under one idempotency key, then
the job), recorded as designed (one attempt per charge, its id the idempotency key), never a
double charge, never a request to Stripe without its attempt on record.

(tests/billing/test_charging.py covers declines, Stripe unreachable, a job that died after Stripe
charged, two jobs at once.)
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date

import pytest
import stripe

from billing.delivery.attempts import ChargeAttemptStatus
from billing.delivery.charging import (
    NETWORK_RETRIES,
    ChargeOutcome,
    ChargeResult,
    TransientChargeError,
    charge_invoice,
)
from billing.invoices.lifecycle import InvoiceStatus
from orm.models import ChargeAttempt, Invoice, Payment, Tenant
from tests.reliability.fault_servers import (
    PASS,
    STRIPE_500,
    STRIPE_502_HTML,
    STRIPE_LOSE_ANSWER,
    STRIPE_STALL,
    StripeFront,
    serving,
)
from tests.reliability.run_driver import FaultLog
from tests.support.builders import make_invoice
from tests.support.factories import make_client
from tests.support.stripe_server import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    TEST_API_KEY,
    LocalStripe,
    save_card,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

TIMEOUT_SECONDS = 0.5
TOTAL = "49.99"
ISSUED_ON = date(2026, 11, 20)
CHAOS_INVOICES = 16
MAX_TRIES = 25


def client_of(front: StripeFront, retries: int = NETWORK_RETRIES) -> stripe.StripeClient:
    """The product's Stripe client settings, through the front, giving up after half a second."""
    return stripe.StripeClient(
        TEST_API_KEY,
        base_addresses={"api": f"http://127.0.0.1:{front.port}"},
        max_network_retries=retries,
        http_client=stripe.HTTPXClient(timeout=TIMEOUT_SECONDS),
    )


def front_of(local_stripe: LocalStripe, *sequence: str) -> StripeFront:
    """A front that behaves as listed, then passes everything through."""
    upcoming = itertools.chain(sequence, itertools.repeat(PASS))
    return StripeFront(schedule=lambda: next(upcoming), upstream=local_stripe.base_url)


async def invoice_with_card(
    local_stripe: LocalStripe, card: str = CARD_SUCCEEDS, n: int = 1
) -> tuple[Invoice, str]:
    tenant = await Tenant.get_or_none(key="acme") or await Tenant.create(key="acme", name="Acme")
    client = await make_client(tenant, f"c-{n}", name=f"Client {n}", email=None)
    customer = await save_card(local_stripe, client, card)
    invoice = await make_invoice(client, f"INV-{n:06}", issued_on=ISSUED_ON, total=TOTAL)
    return invoice, customer


async def charge(invoice: Invoice, client: stripe.StripeClient) -> ChargeOutcome:
    return await charge_invoice(tenant_id=invoice.tenant_id, invoice_id=invoice.id, client=client)


async def assert_charged_once(invoice: Invoice, customer: str, local_stripe: LocalStripe) -> None:
    await invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.PAID, 0)
    [attempt] = await ChargeAttempt.filter(invoice_id=invoice.id)
    assert attempt.status == ChargeAttemptStatus.SUCCEEDED
    [intent] = await local_stripe.intents_of_customer(customer)
    assert intent.id == attempt.stripe_payment_intent_id
    assert await Payment.filter(stripe_payment_intent_id=intent.id).count() == 1


@pytest.mark.parametrize("fault", [STRIPE_500, STRIPE_502_HTML, STRIPE_STALL])
async def test_stripe_failing_on_every_try_leaves_the_attempt_in_flight_for_the_retry(
    db: str, local_stripe: LocalStripe, fault: str
) -> None:
    invoice, customer = await invoice_with_card(local_stripe)
    front = front_of(local_stripe, *[fault] * (NETWORK_RETRIES + 1))
    async with serving(front):
        with pytest.raises(TransientChargeError):
            await charge(invoice, client_of(front))
        [attempt] = await ChargeAttempt.filter(invoice_id=invoice.id)
        assert attempt.status == ChargeAttemptStatus.IN_FLIGHT and attempt.error_code
        assert await local_stripe.intents_of_customer(customer) == []
        # The SDK tried three times under the attempt's key; the job's retry uses it again.
        retried = await charge(invoice, client_of(front))

    assert retried.result == ChargeResult.SUCCEEDED and retried.attempt_id == attempt.id
    assert front.served[fault] == NETWORK_RETRIES + 1
    assert set(front.forwarded_keys) == {f"charge-attempt-{attempt.id}"}
    await assert_charged_once(invoice, customer, local_stripe)


async def test_an_answer_lost_after_stripe_charged_is_not_charged_again(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, customer = await invoice_with_card(local_stripe)
    front = front_of(local_stripe, STRIPE_LOSE_ANSWER)
    async with serving(front):
        outcome = await charge(invoice, client_of(front))

    # The SDK's retry carried the same key: Stripe answered it with the first charge.
    assert outcome.result == ChargeResult.SUCCEEDED
    assert front.forwarded_keys == [f"charge-attempt-{outcome.attempt_id}"] * 2
    await assert_charged_once(invoice, customer, local_stripe)


async def test_a_decline_whose_answer_was_lost_is_recorded_once_as_declined(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice, _ = await invoice_with_card(local_stripe, CARD_DECLINED)
    front = front_of(local_stripe, STRIPE_LOSE_ANSWER)
    async with serving(front):
        with pytest.raises(TransientChargeError):
            await charge(invoice, client_of(front, retries=0))
        outcome = await charge(invoice, client_of(front, retries=0))

    assert (outcome.result, outcome.error_code) == (ChargeResult.FAILED, "card_declined")
    [attempt] = await ChargeAttempt.filter(invoice_id=invoice.id)
    assert (attempt.status, attempt.error_code) == (ChargeAttemptStatus.FAILED, "card_declined")
    await invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID and not await Payment.exists()


async def test_charges_through_a_flaky_stripe_are_made_exactly_once(
    db: str, local_stripe: LocalStripe
) -> None:
    faults = FaultLog("flaky Stripe")
    kinds = [STRIPE_500, STRIPE_502_HTML, STRIPE_STALL, STRIPE_LOSE_ANSWER, PASS, PASS, PASS]
    front = StripeFront(
        schedule=lambda: faults.random.choice(kinds), upstream=local_stripe.base_url
    )
    cases = [
        await invoice_with_card(local_stripe, CARD_DECLINED if n % 4 == 3 else CARD_SUCCEEDS, n)
        for n in range(CHAOS_INVOICES)
    ]
    results: Counter[str] = Counter()
    async with serving(front):
        # No SDK retries here: every fault reaches the product, which the job would retry.
        client = client_of(front, retries=0)
        for invoice, _ in cases:
            for _ in range(MAX_TRIES):
                try:
                    outcome = await charge(invoice, client)
                except TransientChargeError:
                    results["transient, retried"] += 1
                    continue
                results[outcome.result.value] += 1
                assert outcome.result in (ChargeResult.SUCCEEDED, ChargeResult.FAILED), outcome
                break

    print(
        f"flaky Stripe (seed {faults.seed}): {CHAOS_INVOICES} invoices, {front.requests} "
        f"requests, {front.faults} faults injected {dict(sorted(front.served.items()))}; "
        f"outcomes {dict(results)}"
    )
    assert front.faults >= CHAOS_INVOICES, "too few faults to mean anything"
    for n, (invoice, customer) in enumerate(cases):
        if n % 4 == 3:
            [attempt] = await ChargeAttempt.filter(invoice_id=invoice.id)
            assert (attempt.status, attempt.error_code) == (
                ChargeAttemptStatus.FAILED,
                "card_declined",
            )
            assert not await Payment.filter(client_id=invoice.client_id).exists()
        else:
            await assert_charged_once(invoice, customer, local_stripe)
    attempt_keys = {
        f"charge-attempt-{a}" for a in await ChargeAttempt.all().values_list("id", flat=True)
    }
    assert set(front.forwarded_keys) <= attempt_keys, "Stripe was asked to charge without a record"
