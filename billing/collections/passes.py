"""The daily collections pass as stored: its statuses, what sent a reminder, and the keys that
make each action once.

Pure: the pass's storage (`orm.models.collections`) and its steps (`pass_open`, `pass_chunk`)
name these.
"""

from __future__ import annotations

from enum import StrEnum

LATE_FEE_KEY_PREFIX = "late-fee-"


class PassStatus(StrEnum):
    """A tenant's pass of a day: queued when the scheduler made it, running once cut into
    chunks, done when the last chunk is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class ReminderTrigger(StrEnum):
    """Who sent a reminder: the daily pass (AUTO) or a person (MANUAL, `sendReminder`)."""

    AUTO = "auto"
    MANUAL = "manual"


def late_fee_key(invoice_id: int) -> str:
    """The key of the invoice's late fee charge: the unique (client, key) of charges makes the
    fee once per invoice, whoever adds it."""
    return f"{LATE_FEE_KEY_PREFIX}{invoice_id}"


def invoice_of_late_fee_key(key: str) -> int | None:
    """The invoice a late fee charge's key names; None for any other charge key."""
    if not key.startswith(LATE_FEE_KEY_PREFIX):
        return None
    rest = key.removeprefix(LATE_FEE_KEY_PREFIX)
    return int(rest) if rest.isdigit() else None
