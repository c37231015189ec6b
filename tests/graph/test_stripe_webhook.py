"""Stripe's webhook: signed PaymentIntent events settle the charge attempts that waited for the
client to authenticate, exactly once; anything unsigned is refused and changes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio

from billing.delivery.attempts import ChargeAttemptStatus
from billing.delivery.charging import ChargeResult, charge_invoice
from billing.invoices.lifecycle import InvoiceStatus
from orm.models import ChargeAttempt, Client, Invoice, Payment, PaymentAllocation
from tests.graph.conftest import api_client, make_settings
from tests.support.builders import make_client, make_invoice, make_tenant
from tests.support.stripe_server import (
    CARD_REQUIRES_ACTION,
    TEST_API_KEY,
    LocalStripe,
    customer_with_card,
)

pytestmark = pytest.mark.asyncio

WEBHOOK_SECRET = "whsec_test_secret"
INTENT_ID = "pi_awaiting_authentication"
YEN = 5000


def signature_header(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">."""
    timestamp = int(time.time()) if at is None else at
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def intent_event(event_type: str, intent: dict[str, Any], event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": intent},
        }
    ).encode()


def succeeded_intent(intent_id: str = INTENT_ID, amount: int = YEN) -> dict[str, Any]:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "status": "succeeded",
        "amount": amount,
        "amount_received": amount,
        "currency": "jpy",
        "last_payment_error": None,
    }


def failed_intent(intent_id: str = INTENT_ID) -> dict[str, Any]:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "amount": YEN,
        "currency": "jpy",
        "last_payment_error": {
            "code": "payment_intent_authentication_failure",
            "message": "The client did not authenticate the payment.",
        },
    }


@pytest_asyncio.fixture
async def webhook(db: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(db, stripe_webhook_secret=WEBHOOK_SECRET)
    async with api_client(settings) as client:
        yield client


async def post_event(
    webhook: httpx.AsyncClient, payload: bytes, header: str | None = None
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    headers["Stripe-Signature"] = signature_header(payload) if header is None else header
    return await webhook.post("/stripe/webhook", content=payload, headers=headers)


async def awaiting_authentication() -> tuple[Invoice, ChargeAttempt]:
    """A yen invoice whose charge waits for the client to authenticate intent INTENT_ID."""
    tenant = await make_tenant("yen", currency="JPY")
    client = await make_client(tenant, "c-1")
    invoice = await make_invoice(client, "INV-1", total=str(YEN), currency="JPY")
    attempt = await ChargeAttempt.create(
        tenant_id=tenant.id,
        invoice_id=invoice.id,
        amount_cents=YEN,
        currency="JPY",
        status=ChargeAttemptStatus.REQUIRES_ACTION,
        stripe_payment_intent_id=INTENT_ID,
    )
    return invoice, attempt


async def assert_nothing_settled(invoice: Invoice, attempt: ChargeAttempt) -> None:
    await invoice.refresh_from_db()
    await attempt.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.UNPAID, YEN)
    assert attempt.status == ChargeAttemptStatus.REQUIRES_ACTION
    assert await Payment.all().count() == 0


async def test_succeeded_event_records_and_allocates_the_payment(
    webhook: httpx.AsyncClient,
) -> None:
    invoice, attempt = await awaiting_authentication()

    response = await post_event(
        webhook, intent_event("payment_intent.succeeded", succeeded_intent())
    )

    assert response.status_code == 200
    payment = await Payment.get(stripe_payment_intent_id=INTENT_ID)
    assert (payment.amount_cents, payment.currency, payment.method) == (YEN, "JPY", "card")
    allocation = await PaymentAllocation.get(payment_id=payment.id)
    assert (allocation.invoice_id, allocation.amount_cents) == (invoice.id, YEN)
    await invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.PAID, 0)
    await attempt.refresh_from_db()
    assert attempt.status == ChargeAttemptStatus.SUCCEEDED


async def test_the_same_event_delivered_again_changes_nothing(webhook: httpx.AsyncClient) -> None:
    invoice, _ = await awaiting_authentication()
    payload = intent_event("payment_intent.succeeded", succeeded_intent())

    first = await post_event(webhook, payload)
    again = await post_event(webhook, payload)
    retried = await post_event(
        webhook, intent_event("payment_intent.succeeded", succeeded_intent(), event_id="evt_2")
    )

    assert [first.status_code, again.status_code, retried.status_code] == [200, 200, 200]
    assert await Payment.all().count() == 1
    assert await PaymentAllocation.filter(invoice_id=invoice.id).count() == 1


async def test_deliveries_at_once_record_one_payment(webhook: httpx.AsyncClient) -> None:
    invoice, _ = await awaiting_authentication()
    payload = intent_event("payment_intent.succeeded", succeeded_intent())

    responses = await asyncio.gather(*(post_event(webhook, payload) for _ in range(4)))

    assert {response.status_code for response in responses} == {200}
    assert await Payment.all().count() == 1
    await invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.PAID, 0)


async def test_failed_event_fails_the_attempt_with_stripes_code(
    webhook: httpx.AsyncClient,
) -> None:
    invoice, attempt = await awaiting_authentication()

    response = await post_event(
        webhook, intent_event("payment_intent.payment_failed", failed_intent())
    )

    assert response.status_code == 200
    await attempt.refresh_from_db()
    assert attempt.status == ChargeAttemptStatus.FAILED
    assert attempt.error_code == "payment_intent_authentication_failure"
    assert attempt.error_message == "The client did not authenticate the payment."
    await invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.UNPAID, YEN)
    assert await Payment.all().count() == 0


async def test_a_late_failure_does_not_undo_a_recorded_payment(
    webhook: httpx.AsyncClient,
) -> None:
    invoice, attempt = await awaiting_authentication()
    await post_event(webhook, intent_event("payment_intent.succeeded", succeeded_intent()))

    await post_event(webhook, intent_event("payment_intent.payment_failed", failed_intent()))

    await attempt.refresh_from_db()
    assert attempt.status == ChargeAttemptStatus.SUCCEEDED
    await invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


FORGERIES: dict[str, Callable[[bytes], str | None]] = {
    "missing": lambda payload: None,
    "garbage": lambda payload: "t=1,v1=00",
    "other-payload": lambda payload: signature_header(payload + b" "),
    "other-secret": lambda payload: signature_header(payload, secret="whsec_someone_else"),
    "stale": lambda payload: signature_header(payload, at=int(time.time()) - 3600),
}


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
async def test_an_event_without_a_valid_signature_is_refused_and_changes_nothing(
    webhook: httpx.AsyncClient, forgery: Callable[[bytes], str | None]
) -> None:
    invoice, attempt = await awaiting_authentication()
    payload = intent_event("payment_intent.succeeded", succeeded_intent())
    header = forgery(payload)

    response = await webhook.post(
        "/stripe/webhook",
        content=payload,
        headers={"Stripe-Signature": header} if header is not None else {},
    )

    assert response.status_code == 400
    await assert_nothing_settled(invoice, attempt)


async def test_a_signed_body_that_is_not_an_event_is_refused(webhook: httpx.AsyncClient) -> None:
    response = await post_event(webhook, b"not json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        intent_event("payment_intent.succeeded", succeeded_intent("pi_of_someone_else")),
        intent_event("payment_intent.payment_failed", failed_intent("pi_of_someone_else")),
        intent_event("payment_intent.created", succeeded_intent()),
        intent_event("customer.created", {"id": "cus_1", "object": "customer"}),
    ],
    ids=["unknown-succeeded", "unknown-failed", "other-intent-event", "other-object"],
)
async def test_events_that_settle_nothing_of_ours_are_acknowledged_and_ignored(
    webhook: httpx.AsyncClient, payload: bytes
) -> None:
    invoice, attempt = await awaiting_authentication()

    response = await post_event(webhook, payload)

    assert response.status_code == 200
    await assert_nothing_settled(invoice, attempt)


async def test_without_a_signing_secret_every_event_is_refused(db: str) -> None:
    invoice, attempt = await awaiting_authentication()
    payload = intent_event("payment_intent.succeeded", succeeded_intent())
    async with api_client(make_settings(db)) as unconfigured:
        response = await post_event(unconfigured, payload)

    assert response.status_code == 503
    await assert_nothing_settled(invoice, attempt)


async def test_an_authenticated_payment_on_stripe_is_recorded_once(
    db: str, local_stripe: LocalStripe, webhook: httpx.AsyncClient
) -> None:
    stripe_client = local_stripe.client()
    customer_id, method_id = await customer_with_card(stripe_client, CARD_REQUIRES_ACTION)
    tenant = await make_tenant("yen", currency="JPY")
    client = await make_client(tenant, "c-1")
    await Client.filter(id=client.id).update(
        stripe_customer_id=customer_id, stripe_payment_method_id=method_id
    )
    invoice = await make_invoice(client, "INV-1", total=str(YEN), currency="JPY")
    outcome = await charge_invoice(tenant_id=tenant.id, invoice_id=invoice.id, client=stripe_client)
    assert outcome.result == ChargeResult.REQUIRES_ACTION
    assert outcome.payment_intent_id is not None

    intent = await authenticate_on_stripe(local_stripe, outcome.payment_intent_id)
    assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", YEN, "jpy")
    payload = intent_event("payment_intent.succeeded", intent)
    responses = [await post_event(webhook, payload) for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    [payment] = await Payment.filter(client_id=client.id)
    assert (payment.amount_cents, payment.stripe_payment_intent_id) == (YEN, intent["id"])
    await invoice.refresh_from_db()
    assert (invoice.status, invoice.balance_cents) == (InvoiceStatus.PAID, 0)
    [attempt] = await ChargeAttempt.filter(invoice_id=invoice.id)
    assert attempt.status == ChargeAttemptStatus.SUCCEEDED


async def authenticate_on_stripe(local: LocalStripe, intent_id: str) -> dict[str, Any]:
    """The client completes the card issuer's check (localstripe's stand-in for 3-D Secure);
    the PaymentIntent as Stripe then has it."""
    auth = {"Authorization": f"Bearer {TEST_API_KEY}"}
    async with httpx.AsyncClient(base_url=local.base_url, headers=auth) as http:
        intent = (await http.get(f"/v1/payment_intents/{intent_id}")).json()
        answer = await http.post(
            f"/v1/payment_intents/{intent_id}/_authenticate",
            data={"client_secret": intent["client_secret"], "success": "true"},
        )
        assert answer.status_code == 200, answer.text
        return (await http.get(f"/v1/payment_intents/{intent_id}")).json()
