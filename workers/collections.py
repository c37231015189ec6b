"""Collections actors: open a tenant's daily pass into chunks, do each chunk (on any worker),
then email the reminders each chunk claimed.

The database makes every step once (see `billing.collections.pass_chunk`): a redelivered message
finds its chunk done and only queues the emails still unsent, which `send_reminder_job` sends
once each.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from billing.collections.pass_chunk import work_collections_chunk
from billing.collections.pass_open import open_collections_pass
from billing.collections.reminder_email import (
    TransientReminderError,
    send_claimed_reminder,
    unsent_reminder_ids,
)
from orm.models import CollectionsPass
from workers.process import actor_settings, queue
from workers.queues import START_COLLECTIONS_PASS

log = logging.getLogger(__name__)

PASS_STEP_BACKOFF: dict[str, Any] = {"min_backoff": 1_000, "max_backoff": 60_000}


@dramatiq.actor(
    actor_name=START_COLLECTIONS_PASS.actor_name,
    queue_name=queue(START_COLLECTIONS_PASS.queue),
    max_retries=10,
    **PASS_STEP_BACKOFF,
)
async def start_collections_pass_job(pass_id: int) -> None:
    """Cut the pass into chunks and queue them; redelivered, it queues the chunks still
    pending. The tenant's reminders claimed earlier and still unsent (their message lost with a
    broker) are queued again too: a reminder sent already, or being sent, is not sent twice."""
    for chunk_id in await open_collections_pass(pass_id, actor_settings().collections_chunk_size):
        collections_chunk_job.send(chunk_id)
    collections_pass = await CollectionsPass.get(id=pass_id)
    for reminder_id in await unsent_reminder_ids(collections_pass.tenant_id):
        send_reminder_job.send(reminder_id)


@dramatiq.actor(
    queue_name=queue("collections"), max_retries=20, time_limit=30 * 60_000, **PASS_STEP_BACKOFF
)
async def collections_chunk_job(chunk_id: int) -> None:
    outcome = await work_collections_chunk(chunk_id)
    # Also for a chunk done by an earlier delivery: it may have stopped before queueing these.
    for reminder_id in await unsent_reminder_ids(
        outcome.tenant_id, outcome.first_client_id, outcome.last_client_id
    ):
        send_reminder_job.send(reminder_id)


@dramatiq.actor(queue_name=queue("email"), max_retries=8, min_backoff=5_000, max_backoff=900_000)
async def send_reminder_job(reminder_id: int) -> None:
    try:
        outcome = await send_claimed_reminder(reminder_id, actor_settings().email_settings())
    except TransientReminderError as exc:
        log.warning("reminder %s not emailed yet: %s", reminder_id, exc)
        raise dramatiq.Retry(str(exc)) from exc
    if not outcome.sent:
        log.info("reminder %s not emailed: %s", reminder_id, outcome.reason)


def enqueue_collections_pass(pass_id: int) -> None:
    """Hand a pass to the workers."""
    start_collections_pass_job.send(pass_id)
