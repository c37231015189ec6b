"""The kinds of jobs and the queues they travel on: named here, without Dramatiq, so that the
API can send the jobs it starts (graph/jobs.py) without loading the workers' actors."""

from __future__ import annotations

from dataclasses import dataclass

# Each kind of job has a queue of its own, so workers can be dedicated to some (`--queues`).
JOB_QUEUES = ("runs", "chunks", "email", "charges", "collections")


@dataclass(frozen=True, slots=True)
class Job:
    """An actor's name and the queue its messages travel on (before the installation's prefix)."""

    actor_name: str
    queue: str

    def queue_name(self, queue_prefix: str) -> str:
        return queue_name(self.queue, queue_prefix)


def queue_name(queue: str, queue_prefix: str) -> str:
    """The broker queue of a kind of job, under this installation's prefix."""
    return f"{queue_prefix}{queue}"


START_INVOICE_RUN = Job("start_invoice_run_job", "runs")
QUEUE_RUN_FOLLOWUPS = Job("queue_run_followups_job", "email")
START_COLLECTIONS_PASS = Job("start_collections_pass_job", "collections")
