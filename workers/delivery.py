"""Email and charge actors: thin wrappers that retry failures with backoff.

Permanent failures (a refused address, an email that cannot be built, a declined card) are
recorded by the billing code and not raised, so they are not retried; what is raised (a mailbox
or Stripe out of reach, a lost database connection) is retried. The billing code makes a
repeated job harmless (already emailed, already paid, an attempt in flight).
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from billing.delivery.charging import TransientChargeError, charge_invoice, stripe_client
from billing.delivery.email import TransientEmailError, email_invoice_automatically
from billing.runs.engine import record_email_failure
from workers.process import actor_settings, queue

log = logging.getLogger(__name__)

MAX_RETRIES = 8


@dramatiq.actor(queue_name=queue("email"), max_retries=MAX_RETRIES)
async def email_given_up_job(message: dict[str, Any], retries: dict[str, Any]) -> None:
    """The mailbox stayed out of reach through every retry: the invoice's run says so."""
    tenant_id, invoice_id = (int(arg) for arg in message["args"][:2])
    attempts = int(retries.get("retries", 0)) + 1
    await record_email_failure(
        tenant_id, invoice_id, f"the mailbox could not take it in {attempts} attempts"
    )


@dramatiq.actor(
    queue_name=queue("email"),
    max_retries=MAX_RETRIES,
    min_backoff=5_000,
    max_backoff=900_000,
    on_retry_exhausted="email_given_up_job",
)
async def email_invoice_job(tenant_id: int, invoice_id: int) -> None:
    try:
        outcome = await email_invoice_automatically(
            tenant_id=tenant_id,
            invoice_id=invoice_id,
            settings=actor_settings().email_settings(),
        )
        if outcome.permanent and not outcome.sent:
            await record_email_failure(tenant_id, invoice_id, outcome.reason or "refused")
    except TransientEmailError as exc:
        # Expected while a mailbox is down: retried without an error traceback in the logs.
        log.warning("invoice %s not emailed yet: %s", invoice_id, exc)
        raise dramatiq.Retry(str(exc)) from exc


@dramatiq.actor(
    queue_name=queue("charges"),
    max_retries=MAX_RETRIES,
    min_backoff=10_000,
    max_backoff=1_800_000,
)
async def charge_invoice_job(tenant_id: int, invoice_id: int) -> None:
    settings = actor_settings()
    if not settings.stripe_api_key:
        return
    try:
        await charge_invoice(
            tenant_id=tenant_id,
            invoice_id=invoice_id,
            client=stripe_client(settings.stripe_api_key, settings.stripe_api_base),
        )
    except TransientChargeError as exc:
        log.warning("invoice %s not charged yet: %s", invoice_id, exc)
        raise dramatiq.Retry(str(exc)) from exc
