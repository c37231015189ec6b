"""Email and charge actors: thin wrappers that retry transient failures with backoff.

Permanent failures (a refused address, a declined card) are recorded by the billing code and not
retried; the billing code also makes a repeated job harmless (already emailed, already paid, an
attempt in flight).
"""

from __future__ import annotations

import dramatiq

from billing.charging import TransientChargeError, charge_invoice, stripe_client
from billing.email import TransientEmailError, email_invoice_automatically
from ispbox.config import get_settings
from workers.broker import queue  # declares the broker before the actors

TRANSIENT = (TransientEmailError, TransientChargeError)


def retry_transient_only(retries_so_far: int, exception: BaseException) -> bool:
    return isinstance(exception, TRANSIENT) and retries_so_far < 8


@dramatiq.actor(
    queue_name=queue("email"),
    retry_when=retry_transient_only,
    min_backoff=5_000,
    max_backoff=900_000,
)
async def email_invoice_job(tenant_id: int, invoice_id: int) -> None:
    await email_invoice_automatically(tenant_id=tenant_id, invoice_id=invoice_id)


@dramatiq.actor(
    queue_name=queue("charges"),
    retry_when=retry_transient_only,
    min_backoff=10_000,
    max_backoff=1_800_000,
)
async def charge_invoice_job(tenant_id: int, invoice_id: int) -> None:
    settings = get_settings()
    if not settings.stripe_api_key:
        return
    await charge_invoice(
        tenant_id=tenant_id,
        invoice_id=invoice_id,
        client=stripe_client(settings.stripe_api_key, settings.stripe_api_base),
    )
