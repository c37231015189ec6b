"""Email and charge actors: thin wrappers that retry transient failures with backoff.

Permanent failures (a refused address, a declined card) are recorded by the billing code and not
retried; the billing code also makes a repeated job harmless (already emailed, already paid, an
attempt in flight).
"""

from __future__ import annotations

import dramatiq

from billing.charging import TransientChargeError, charge_invoice, stripe_client
from billing.email import TransientEmailError, deliver_invoice_email
from billing.preview_links import make_preview_token, preview_url
from ispbox.config import get_settings
from orm.models.enums import EmailTrigger
from workers import broker as _broker  # noqa: F401  (declares the broker before the actors)

TRANSIENT = (TransientEmailError, TransientChargeError)


def retry_transient_only(retries_so_far: int, exception: BaseException) -> bool:
    return isinstance(exception, TRANSIENT) and retries_so_far < 8


def invoice_preview_url(tenant_id: int, invoice_id: int) -> str:
    settings = get_settings()
    token = make_preview_token(
        tenant_id=tenant_id, invoice_id=invoice_id, secret=settings.secret_key,
        ttl_seconds=settings.preview_link_ttl_seconds,
    )
    return preview_url(settings.public_url, invoice_id, token)


@dramatiq.actor(
    queue_name="email", retry_when=retry_transient_only, min_backoff=5_000, max_backoff=900_000
)
async def email_invoice_job(tenant_id: int, invoice_id: int) -> None:
    await deliver_invoice_email(
        tenant_id=tenant_id, invoice_id=invoice_id, trigger=EmailTrigger.AUTO,
        preview_url=invoice_preview_url(tenant_id, invoice_id),
    )


@dramatiq.actor(
    queue_name="charges", retry_when=retry_transient_only, min_backoff=10_000,
    max_backoff=1_800_000,
)
async def charge_invoice_job(tenant_id: int, invoice_id: int) -> None:
    settings = get_settings()
    if not settings.stripe_api_key:
        return
    await charge_invoice(
        tenant_id=tenant_id, invoice_id=invoice_id,
        client=stripe_client(settings.stripe_api_key, settings.stripe_api_base),
    )
