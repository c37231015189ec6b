"""GraphQL enums: the stored enumerations under their upper-case names.

Each member's value is the word stored in the database, so `InvoiceStatus(invoice.status)`
converts a stored value and `.value` converts back.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from billing.clients.eligibility import BlockedReason as StoredBlockedReason
from billing.errors import ErrorCode as BillingErrorCode
from orm.models import enums as stored


@strawberry.enum
class InvoiceStatus(Enum):
    DRAFT = strawberry.enum_value(
        stored.InvoiceStatus.DRAFT.value,
        description=(
            "Made by a run that awaits review: no number yet, not emailed, not charged, not "
            "counted by the KPI cards; its periods and charges are taken (no other run bills "
            "them) until the run is finalized or discarded."
        ),
    )
    UNPAID = stored.InvoiceStatus.UNPAID.value
    PARTIAL = stored.InvoiceStatus.PARTIAL.value
    PAID = stored.InvoiceStatus.PAID.value
    VOID = stored.InvoiceStatus.VOID.value


@strawberry.enum
class InvoiceLineKind(Enum):
    SERVICE = stored.InvoiceLineKind.SERVICE.value
    ONE_TIME_CHARGE = stored.InvoiceLineKind.ONE_TIME_CHARGE.value


@strawberry.enum
class ClientStatus(Enum):
    ACTIVE = stored.ClientStatus.ACTIVE.value
    OVERDUE = stored.ClientStatus.OVERDUE.value
    SUSPENDED = stored.ClientStatus.SUSPENDED.value
    INACTIVE = stored.ClientStatus.INACTIVE.value


@strawberry.enum
class InvoiceRunStatus(Enum):
    QUEUED = stored.RunStatus.QUEUED.value
    RUNNING = stored.RunStatus.RUNNING.value
    AWAITING_REVIEW = strawberry.enum_value(
        stored.RunStatus.AWAITING_REVIEW.value,
        description=(
            "A review run has made its drafts and waits for finalizeInvoiceRun or "
            "discardInvoiceRun."
        ),
    )
    COMPLETED = stored.RunStatus.COMPLETED.value
    COMPLETED_WITH_ERRORS = stored.RunStatus.COMPLETED_WITH_ERRORS.value
    FAILED = stored.RunStatus.FAILED.value
    DISCARDED = strawberry.enum_value(
        stored.RunStatus.DISCARDED.value, description="A review run whose drafts were thrown away."
    )


@strawberry.enum
class InvoiceRunTrigger(Enum):
    MANUAL = stored.RunTrigger.MANUAL.value
    SCHEDULE = stored.RunTrigger.SCHEDULE.value


@strawberry.enum
class InvoiceRunErrorStage(Enum):
    PREFLIGHT = stored.RunErrorStage.PREFLIGHT.value
    RUNTIME = stored.RunErrorStage.RUNTIME.value


@strawberry.enum
class ErrorCode(Enum):
    NOT_FOUND = BillingErrorCode.NOT_FOUND.value
    INVALID_INPUT = BillingErrorCode.INVALID_INPUT.value
    NOT_VOIDABLE = strawberry.enum_value(
        BillingErrorCode.NOT_VOIDABLE.value,
        description="Void refused: the invoice is paid or partially paid.",
    )
    ALREADY_VOID = BillingErrorCode.ALREADY_VOID.value
    HAS_ALLOCATIONS = strawberry.enum_value(
        BillingErrorCode.HAS_ALLOCATIONS.value,
        description="Void refused: payments are allocated to the invoice.",
    )
    CLIENT_EMAIL_MISSING = BillingErrorCode.CLIENT_EMAIL_MISSING.value
    MAILBOX_UNAVAILABLE = BillingErrorCode.MAILBOX_UNAVAILABLE.value
    DEV_ONLY = strawberry.enum_value(
        BillingErrorCode.DEV_ONLY.value,
        description="Delete refused outside the development environment.",
    )
    MANUAL_RUN_DISABLED = strawberry.enum_value(
        BillingErrorCode.MANUAL_RUN_DISABLED.value,
        description=(
            "Manual runs are disabled while automatic generation on the billing schedule is on."
        ),
    )
    RUN_IN_PROGRESS = strawberry.enum_value(
        BillingErrorCode.RUN_IN_PROGRESS.value,
        description="Another run of this tenant is queued, running, or awaiting review.",
    )
    CLIENT_NOT_ELIGIBLE = BillingErrorCode.CLIENT_NOT_ELIGIBLE.value
    NOT_AWAITING_REVIEW = strawberry.enum_value(
        BillingErrorCode.NOT_AWAITING_REVIEW.value,
        description="Finalize or discard refused: the run is not awaiting review.",
    )
    IDEMPOTENCY_CONFLICT = strawberry.enum_value(
        BillingErrorCode.IDEMPOTENCY_CONFLICT.value,
        description=(
            "The same idempotency key came with a different input, or its first request is "
            "still being processed."
        ),
    )
    RECENTLY_SENT = strawberry.enum_value(
        BillingErrorCode.RECENTLY_SENT.value,
        description=(
            "Send refused: the invoice was emailed (or a send began) less than a minute ago; "
            "send with force to email it again."
        ),
    )
    CURRENCY_LOCKED = strawberry.enum_value(
        BillingErrorCode.CURRENCY_LOCKED.value,
        description="Currency change refused: the tenant has issued invoices.",
    )
    NOT_CREDITABLE = strawberry.enum_value(
        BillingErrorCode.NOT_CREDITABLE.value,
        description="Credit note refused: the invoice is a draft or void.",
    )
    CREDIT_EXCEEDS_INVOICE = strawberry.enum_value(
        BillingErrorCode.CREDIT_EXCEEDS_INVOICE.value,
        description="Credit note refused: more than what is left uncredited (or, for OFFSET, "
        "more than the balance).",
    )
    PAYMENT_PROVIDER_ERROR = strawberry.enum_value(
        BillingErrorCode.PAYMENT_PROVIDER_ERROR.value,
        description="Stripe refused or failed; nothing was recorded.",
    )
    NOT_PAYABLE = strawberry.enum_value(
        BillingErrorCode.NOT_PAYABLE.value,
        description="The invoice takes no payment now (a draft, void, or nothing owed).",
    )
    CURRENCY_MISMATCH = strawberry.enum_value(
        BillingErrorCode.CURRENCY_MISMATCH.value,
        description="The payment's currency is not the tenant's.",
    )
    ALREADY_REVERSED = BillingErrorCode.ALREADY_REVERSED.value
    REFUND_EXCEEDS_UNALLOCATED = strawberry.enum_value(
        BillingErrorCode.REFUND_EXCEEDS_UNALLOCATED.value,
        description="Refund refused: more than the payment's unallocated part.",
    )
    NOT_OVERDUE = strawberry.enum_value(
        BillingErrorCode.NOT_OVERDUE.value,
        description="Reminder refused: the invoice is not past due or has nothing owed.",
    )
    STATEMENT_UNREADABLE = strawberry.enum_value(
        BillingErrorCode.STATEMENT_UNREADABLE.value,
        description="The bank statement could not be read; the message says where.",
    )
    BANK_ENTRY_RESOLVED = strawberry.enum_value(
        BillingErrorCode.BANK_ENTRY_RESOLVED.value,
        description="The bank entry is not waiting for a person: it is already matched, "
        "ignored, or a duplicate.",
    )


@strawberry.enum
class ServicePeriod(Enum):
    MONTHLY = stored.ServicePeriod.MONTHLY.value
    QUARTERLY = stored.ServicePeriod.QUARTERLY.value
    SEMIANNUAL = stored.ServicePeriod.SEMIANNUAL.value
    ANNUAL = stored.ServicePeriod.ANNUAL.value


@strawberry.enum
class ServiceStatus(Enum):
    ACTIVE = stored.ServiceStatus.ACTIVE.value
    SUSPENDED = stored.ServiceStatus.SUSPENDED.value
    CANCELLED = stored.ServiceStatus.CANCELLED.value


@strawberry.enum
class BlockedReason(Enum):
    MANUAL = StoredBlockedReason.MANUAL.value
    OVERDUE = strawberry.enum_value(
        StoredBlockedReason.OVERDUE.value,
        description="Blocked by collections: an invoice is unpaid past its grace date.",
    )


class EInvoiceSyntax(Enum):
    CII = strawberry.enum_value(
        "CII",
        description="UN/CEFACT Cross Industry Invoice (Factur-X, ZUGFeRD, XRechnung CII).",
    )
    UBL = strawberry.enum_value("UBL", description="OASIS UBL 2.1 (Peppol BIS Billing 3.0).")


@strawberry.enum(description="What the invoice list can be sorted by; the invoice id breaks ties.")
class InvoiceSortField(Enum):
    NUMBER = strawberry.enum_value(
        "number", description="The invoice number as text; drafts (no number yet) first."
    )
    CLIENT = strawberry.enum_value("client", description="The client's name, then the client.")
    ISSUED = "issued"
    DUE = "due"
    TOTAL = "total"
    BALANCE = "balance"


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"
