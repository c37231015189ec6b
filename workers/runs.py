"""Run actors: open a run into chunks, bill each chunk (on any worker), then hand the issued
invoices to the email and charge actors.

A billed chunk queues one follow-up job for its client range, which queues the email and charge
job of each invoice: one message on the chunk's path instead of one per invoice keeps the run's
pace independent of how its invoices are delivered."""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from billing.runs.engine import abandon_chunk, bill_chunk, open_run
from billing.runs.followups import followups_for_run
from orm.models import InvoiceRun, Tenant
from workers.delivery import charge_invoice_job, email_invoice_job
from workers.process import actor_settings, queue
from workers.queues import QUEUE_RUN_FOLLOWUPS, START_INVOICE_RUN

log = logging.getLogger(__name__)

# A run's steps retry soon: the run's progress waits on each of them.
RUN_STEP_BACKOFF: dict[str, Any] = {"min_backoff": 1_000, "max_backoff": 60_000}

NO_STRIPE_KEY_NOTICE = (
    "Auto charge is on, but no Stripe API key is configured: this run's invoices are not charged."
)


def charging_enabled() -> bool:
    return bool(actor_settings().stripe_api_key)


@dramatiq.actor(
    actor_name=START_INVOICE_RUN.actor_name,
    queue_name=queue(START_INVOICE_RUN.queue),
    max_retries=10,
    **RUN_STEP_BACKOFF,
)
async def start_invoice_run_job(run_id: int) -> None:
    """Cut the run into chunks and queue them. Redelivered, it queues the chunks still pending
    (billing a chunk twice is refused by the chunk itself)."""
    chunk_ids = await open_run(run_id, actor_settings().run_chunk_size)
    run = await InvoiceRun.get(id=run_id)
    tenant = await Tenant.get(id=run.tenant_id)
    if tenant.auto_charge and not charging_enabled() and run.notice != NO_STRIPE_KEY_NOTICE:
        await InvoiceRun.filter(id=run_id).update(notice=NO_STRIPE_KEY_NOTICE)
    for chunk_id in chunk_ids:
        bill_run_chunk_job.send(chunk_id)


@dramatiq.actor(queue_name=queue("chunks"), max_retries=10, **RUN_STEP_BACKOFF)
async def abandon_run_chunk_job(message: dict[str, Any], retries: dict[str, Any]) -> None:
    """A chunk's retries are exhausted: record its clients as not billed so the run ends."""
    chunk_id = int(message["args"][0])
    await abandon_chunk(chunk_id, f"{int(retries.get('retries', 0)) + 1} attempts failed")


@dramatiq.actor(
    queue_name=queue("chunks"),
    max_retries=20,
    **RUN_STEP_BACKOFF,
    time_limit=30 * 60_000,
    on_retry_exhausted="abandon_run_chunk_job",
)
async def bill_run_chunk_job(chunk_id: int) -> None:
    report = await bill_chunk(chunk_id)
    if report.numbering_hold_seconds is not None:
        # The one-chunk-at-a-time part of a run, for whoever sizes its workers (docs/scaling.md).
        log.info(
            "run %s chunk %s: waited %.1f ms for its invoice numbers, held them %.1f ms to the "
            "commit",
            report.run_id,
            report.chunk_id,
            (report.numbering_wait_seconds or 0) * 1000,
            report.numbering_hold_seconds * 1000,
        )
    # Also for a chunk billed by an earlier delivery: it may have stopped before this step.
    queue_run_followups_job.send(report.run_id, report.first_client_id, report.last_client_id)


@dramatiq.actor(
    actor_name=QUEUE_RUN_FOLLOWUPS.actor_name,
    queue_name=queue(QUEUE_RUN_FOLLOWUPS.queue),
    max_retries=10,
    **RUN_STEP_BACKOFF,
)
async def queue_run_followups_job(
    run_id: int, first_client_id: int | None = None, last_client_id: int | None = None
) -> None:
    """Queue the email and charge jobs of the run's issued invoices (of one chunk's client range
    where given); drafts awaiting review have none."""
    run = await InvoiceRun.get(id=run_id)
    tenant = await Tenant.get(id=run.tenant_id)
    followups = await followups_for_run(
        tenant,
        run.id,
        first_client_id=first_client_id,
        last_client_id=last_client_id,
        charging_enabled=charging_enabled(),
    )
    enqueue_followups(tenant.id, followups.email_invoice_ids, followups.charge_invoice_ids)


def enqueue_followups(tenant_id: int, email_ids: list[int], charge_ids: list[int]) -> None:
    for invoice_id in email_ids:
        email_invoice_job.send(tenant_id, invoice_id)
    for invoice_id in charge_ids:
        charge_invoice_job.send(tenant_id, invoice_id)


def enqueue_invoice_run(run_id: int) -> None:
    """Hand a queued run to the workers."""
    start_invoice_run_job.send(run_id)


def enqueue_run_followups(run_id: int) -> None:
    """Email and charge what a finalized review run issued, as after an issuing run."""
    queue_run_followups_job.send(run_id)
