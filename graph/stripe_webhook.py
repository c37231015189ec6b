"""Stripe's webhook endpoint (POST /stripe/webhook): payments settled after the client acted.

A charge the card issuer asks the client to authenticate ends when Stripe reports its
PaymentIntent as succeeded or failed. Each event's signature is checked with the endpoint's
signing secret (`ISPBOX_STRIPE_WEBHOOK_SECRET`); an event that does not verify is refused with
400 and changes nothing. A verified event is acknowledged with 200 once it is settled, or at
once where it names nothing of ours; Stripe delivers again after any other answer.
"""

from __future__ import annotations

import logging

import stripe
from starlette.requests import Request
from starlette.responses import JSONResponse

from billing.delivery.charging import settle_intent_event
from ispbox.config import Settings

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "stripe-signature"
# Stripe's events are a few kilobytes; anything far larger is not one.
MAX_EVENT_BYTES = 256 * 1024


async def stripe_webhook(request: Request) -> JSONResponse:
    """Verify the event's signature, then settle the charge attempt of its PaymentIntent."""
    settings: Settings = request.app.state.settings
    if settings.stripe_webhook_secret is None:
        return _refused(503, "Stripe webhooks are not configured (ISPBOX_STRIPE_WEBHOOK_SECRET).")
    payload = await _read_payload(request)
    if payload is None:
        return _refused(413, f"A Stripe event is at most {MAX_EVENT_BYTES} bytes.")
    try:
        event = stripe.Webhook.construct_event(
            payload,
            request.headers.get(SIGNATURE_HEADER),
            settings.stripe_webhook_secret.get_secret_value(),
        )
    except stripe.SignatureVerificationError:
        return _refused(400, "The Stripe-Signature header does not match the event.")
    except ValueError:
        return _refused(400, "The body is not a Stripe event.")
    outcome = await settle_intent_event(event)
    if outcome is not None:
        log.info(
            "Stripe event %s (%s): attempt %s %s",
            event.id,
            event.type,
            outcome.attempt_id,
            outcome.result,
        )
    return JSONResponse({"received": True})


async def _read_payload(request: Request) -> bytes | None:
    """The body, or None once it exceeds the size an event can have."""
    payload = bytearray()
    async for chunk in request.stream():
        payload += chunk
        if len(payload) > MAX_EVENT_BYTES:
            return None
    return bytes(payload)


def _refused(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)
