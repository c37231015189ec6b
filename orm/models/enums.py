"""The stored enumerations. Each is defined with the billing rules it belongs to; the models and
the migrations name them here, where the values written in the database are gathered."""

from billing.audit.actions import AuditAction
from billing.bank_statements.matching import EntryStatus as BankEntryStatus
from billing.bank_statements.model import Direction as BankEntryDirection
from billing.bank_statements.model import StatementFormat
from billing.clients.eligibility import BlockedReason, ChargeStatus, ClientStatus, ServiceStatus
from billing.collections.passes import PassStatus, ReminderTrigger
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.delivery.attempts import ChargeAttemptStatus, EmailResult, EmailTrigger
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.payments.methods import PaymentStatus
from billing.periods import ServicePeriod
from billing.runs.lifecycle import ChunkStatus, RunErrorStage, RunStatus, RunTrigger

__all__ = [
    "AuditAction",
    "BankEntryDirection",
    "BankEntryStatus",
    "BlockedReason",
    "ChargeAttemptStatus",
    "ChargeStatus",
    "ChunkStatus",
    "ClientStatus",
    "CreditNoteSettlement",
    "EmailResult",
    "EmailTrigger",
    "InvoiceLineKind",
    "InvoiceStatus",
    "PassStatus",
    "PaymentStatus",
    "ReminderTrigger",
    "RunErrorStage",
    "RunStatus",
    "RunTrigger",
    "ServicePeriod",
    "ServiceStatus",
    "StatementFormat",
]
