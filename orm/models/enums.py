"""Stored enumerations. Values are the lower-case words written in the database and the import."""

from enum import StrEnum


class ClientStatus(StrEnum):
    ACTIVE = "active"
    OVERDUE = "overdue"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"


BILLABLE_CLIENT_STATUSES = (ClientStatus.ACTIVE, ClientStatus.OVERDUE)


class ServicePeriod(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class ChargeStatus(StrEnum):
    PENDING = "pending"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    UNPAID = "unpaid"
    PARTIAL = "partial"
    PAID = "paid"
    VOID = "void"


ISSUED_INVOICE_STATUSES = (
    InvoiceStatus.UNPAID,
    InvoiceStatus.PARTIAL,
    InvoiceStatus.PAID,
    InvoiceStatus.VOID,
)


class InvoiceLineKind(StrEnum):
    SERVICE = "service"
    ONE_TIME_CHARGE = "one_time_charge"


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
TERMINAL_RUN_STATUSES = (
    RunStatus.AWAITING_REVIEW,
    RunStatus.COMPLETED,
    RunStatus.COMPLETED_WITH_ERRORS,
    RunStatus.FAILED,
    RunStatus.DISCARDED,
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


class AuditAction(StrEnum):
    RUN = "run"
    VOID = "void"
    SEND = "send"
    DELETE = "delete"
    FINALIZE = "finalize"
    DISCARD = "discard"
