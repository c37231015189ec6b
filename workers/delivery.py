"""Email and charge actors: thin wrappers that retry failures with backoff.

Permanent failures (a refused address, an email that cannot be built, a declined card) are
recorded by the billing code and not raised, so they are not retried; what is raised (a mailbox
or Stripe out of reach, a lost database connection) is retried. The billing code makes a
repeated job harmless (already emailed, already paid, an attempt in flight).
"""

from __future__ import annotations

import logging

import dramatiq

from billing.charging import TransientChargeError, charge_invoice, stripe_client
from billing.email import TransientEmailError, email_invoice_automatically
from ispbox.config import get_settings
from workers.broker import queue  # declares the broker before the actors

log = logging.getLogger(__name__)

MAX_RETRIES = 8


@dramatiq.actor(
    queue_name=queue("email"), max_retries=MAX_RETRIES, min_backoff=5_000, max_backoff=900_000
)
async def email_invoice_job(tenant_id: int, invoice_id: int) -> None:
    try:
        await email_invoice_automatically(tenant_id=tenant_id, invoice_id=invoice_id)
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
    settings = get_settings()
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
