"""The invoice run's lifecycle: its statuses, triggers, chunks and errors."""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_REVIEW = "awaiting_review"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    FAILED = "failed"
    DISCARDED = "discarded"


# A tenant has at most one run in these states; a partial unique index enforces it.
ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.AWAITING_REVIEW)
# Where the run's workers have nothing left to do: a subscription's last event. A run awaiting
# review is here and among the active ones too (a person still has to finalize or discard it).
WORK_STOPPED_RUN_STATUSES = (
    RunStatus.AWAITING_REVIEW,
    RunStatus.COMPLETED,
    RunStatus.COMPLETED_WITH_ERRORS,
    RunStatus.FAILED,
    RunStatus.DISCARDED,
)
# Where the workers still have the run's chunks to bill (queued, running): what a restarted
# process hands to the workers again.
WORKING_RUN_STATUSES = tuple(
    status for status in ACTIVE_RUN_STATUSES if status not in WORK_STOPPED_RUN_STATUSES
)


class RunTrigger(StrEnum):
    MANUAL = "manual"
    SCHEDULE = "schedule"


class RunErrorStage(StrEnum):
    PREFLIGHT = "preflight"
    RUNTIME = "runtime"


class ChunkStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
