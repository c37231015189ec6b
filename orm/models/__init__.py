"""The tables of the invoices module. Every tenant-owned row carries its tenant.

Every `*_cents` column holds integer minor units of its row's currency (ISO 4217: cents of USD,
whole yen of JPY, fils of BHD), whatever the name says.
"""

from orm.models.audit import AuditEvent
from orm.models.bank_statement import BankStatement, BankStatementEntry
from orm.models.client import Charge, Client, Service
from orm.models.collections import CollectionsChunk, CollectionsPass, InvoiceReminder
from orm.models.credit_note import CreditNote, CreditNoteLine, CreditNoteTax
from orm.models.delivery import ChargeAttempt, EmailAttempt
from orm.models.document import DocumentFile
from orm.models.idempotency import IdempotencyKey
from orm.models.invoice import (
    Invoice,
    InvoiceDueTotals,
    InvoiceLine,
    InvoiceStatusTotals,
    InvoiceTax,
)
from orm.models.payment import CreditApplication, Payment, PaymentAllocation, PaymentRefund
from orm.models.run import (
    InvoiceRun,
    RunChunk,
    RunError,
    ServiceRebillPeriod,
    ServiceScheduleSnapshot,
)
from orm.models.tenant import Tenant, User

__all__ = [
    "AuditEvent",
    "BankStatement",
    "BankStatementEntry",
    "Charge",
    "ChargeAttempt",
    "Client",
    "CollectionsChunk",
    "CollectionsPass",
    "CreditApplication",
    "CreditNote",
    "CreditNoteLine",
    "CreditNoteTax",
    "DocumentFile",
    "EmailAttempt",
    "IdempotencyKey",
    "Invoice",
    "InvoiceDueTotals",
    "InvoiceLine",
    "InvoiceReminder",
    "InvoiceRun",
    "InvoiceStatusTotals",
    "InvoiceTax",
    "Payment",
    "PaymentAllocation",
    "PaymentRefund",
    "RunChunk",
    "RunError",
    "Service",
    "ServiceRebillPeriod",
    "ServiceScheduleSnapshot",
    "Tenant",
    "User",
]
