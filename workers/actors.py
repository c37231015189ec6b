"""Every actor, declared on the current broker: imported by `workers.process.start_actors`."""

from workers.collections import (
    collections_chunk_job,
    send_reminder_job,
    start_collections_pass_job,
)
from workers.delivery import charge_invoice_job, email_given_up_job, email_invoice_job
from workers.runs import (
    abandon_run_chunk_job,
    bill_run_chunk_job,
    queue_run_followups_job,
    start_invoice_run_job,
)

__all__ = [
    "abandon_run_chunk_job",
    "bill_run_chunk_job",
    "charge_invoice_job",
    "collections_chunk_job",
    "email_given_up_job",
    "email_invoice_job",
    "queue_run_followups_job",
    "send_reminder_job",
    "start_collections_pass_job",
    "start_invoice_run_job",
]
