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
    BANK_IMPORT = "bank_import"
    BANK_MATCH = "bank_match"
    BANK_IGNORE = "bank_ignore"
