"""Business-rule failures a person can act on: a code from the API contract and a sentence."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_VOIDABLE = "NOT_VOIDABLE"
    ALREADY_VOID = "ALREADY_VOID"
    HAS_ALLOCATIONS = "HAS_ALLOCATIONS"
    CLIENT_EMAIL_MISSING = "CLIENT_EMAIL_MISSING"
    MAILBOX_UNAVAILABLE = "MAILBOX_UNAVAILABLE"
    DEV_ONLY = "DEV_ONLY"
    MANUAL_RUN_DISABLED = "MANUAL_RUN_DISABLED"
    RUN_IN_PROGRESS = "RUN_IN_PROGRESS"
    CLIENT_NOT_ELIGIBLE = "CLIENT_NOT_ELIGIBLE"
    NOT_AWAITING_REVIEW = "NOT_AWAITING_REVIEW"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    RECENTLY_SENT = "RECENTLY_SENT"
    CURRENCY_LOCKED = "CURRENCY_LOCKED"
    NOT_CREDITABLE = "NOT_CREDITABLE"
    CREDIT_EXCEEDS_INVOICE = "CREDIT_EXCEEDS_INVOICE"
    PAYMENT_PROVIDER_ERROR = "PAYMENT_PROVIDER_ERROR"
    NOT_PAYABLE = "NOT_PAYABLE"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    ALREADY_REVERSED = "ALREADY_REVERSED"
    REFUND_EXCEEDS_UNALLOCATED = "REFUND_EXCEEDS_UNALLOCATED"
    NOT_OVERDUE = "NOT_OVERDUE"
    STATEMENT_UNREADABLE = "STATEMENT_UNREADABLE"
    BANK_ENTRY_RESOLVED = "BANK_ENTRY_RESOLVED"


class BillingRuleError(Exception):
    """Raised by a use case that refuses; nothing it touched is changed."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
