"""What an attempt to email or charge an invoice records."""

from __future__ import annotations

from enum import StrEnum


class ChargeAttemptStatus(StrEnum):
    IN_FLIGHT = "in_flight"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"


class EmailTrigger(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


class EmailResult(StrEnum):
    SENT = "sent"
    FAILED = "failed"
