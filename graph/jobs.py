"""The one place the API queues work for the workers: messages sent by queue and actor name on
the broker the application was given, so the API process loads none of the workers' actors."""

from __future__ import annotations

import dramatiq

from workers.queues import QUEUE_RUN_FOLLOWUPS, START_INVOICE_RUN, Job


class Jobs:
    """Queues the jobs the API starts, under the installation's queue prefix."""

    def __init__(self, broker: dramatiq.Broker | None, queue_prefix: str) -> None:
        """`broker`: where the jobs go; None for the process's current Dramatiq broker."""
        self._broker = broker
        self.queue_prefix = queue_prefix

    @property
    def broker(self) -> dramatiq.Broker:
        return self._broker or dramatiq.get_broker()

    def start_invoice_run(self, run_id: int) -> None:
        """Hand a queued run to the workers."""
        self._send(START_INVOICE_RUN, run_id)

    def email_and_charge_run(self, run_id: int) -> None:
        """Email and charge what a finalized review run issued, as after an issuing run."""
        self._send(QUEUE_RUN_FOLLOWUPS, run_id)

    def _send(self, job: Job, *args: int) -> None:
        queue_name = job.queue_name(self.queue_prefix)
        # A broker refuses messages for a queue it has not seen; declaring one is idempotent.
        self.broker.declare_queue(queue_name)
        message = dramatiq.Message(
            queue_name=queue_name, actor_name=job.actor_name, args=args, kwargs={}, options={}
        )
        self.broker.enqueue(message)
