"""The actions the audit trail records."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    RUN = "run"
    VOID = "void"
    SEND = "send"
    DELETE = "delete"
    FINALIZE = "finalize"
    DISCARD = "discard"
    SETTINGS = "settings"
    CREDIT = "credit"
    PAYMENT = "payment"
    REVERSAL = "reversal"
    REFUND = "refund"
    APPLY_CREDIT = "apply_credit"
    # Collections: a payment reminder emailed, a late fee added, a client's standing changed.
    REMIND = "remind"
    LATE_FEE = "late_fee"
    CLIENT_STATUS = "client_status"
    BLOCK = "block"
    UNBLOCK = "unblock"
    BANK_IMPORT = "bank_import"
    BANK_MATCH = "bank_match"
    BANK_IGNORE = "bank_ignore"
