"""The invoice's lifecycle: its statuses, every transition, and whether each action is allowed.

    run (review) ──► DRAFT ──finalize──┐
    run ───────────────────────────────┴─► issued: UNPAID, or PAID when the total is zero
    UNPAID ──payment──► PARTIAL ──payment──► PAID        (status_for_balance)
    UNPAID ──void──► VOID                                (void_refusal says when)
    UNPAID, PARTIAL, PAID ──credit note──► balance and status follow  (credit_refusal)
    UNPAID, PARTIAL past the due date ──reminder──► emailed      (remind_refusal)

A draft has no number and is neither emailed, charged, paid nor voided: its run is finalized or
discarded. Each action has one function here answering "allowed, or why not": None, or the
BillingRuleError (code and sentence) a person or a job is refused with. The run engine, the API's
`actions` (the dashboard's buttons), the mutations, the email and charge jobs, the follow-ups and
the importer all ask these. Pure: plain values in, no database.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from billing.errors import BillingRuleError, ErrorCode


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
# Issued and not void: what may be emailed to the customer.
SENDABLE_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL, InvoiceStatus.PAID)
# Issued with money owed: what takes a payment and may be charged to a saved card.
PAYABLE_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL)
# Only an invoice nothing was paid on may be voided.
VOIDABLE_STATUSES = (InvoiceStatus.UNPAID,)

DRAFT_NOT_SENT = "A draft invoice cannot be sent: finalize or discard the run first."
VOID_NOT_SENT = "A void invoice is not sent to the customer."
DRAFT_NOT_VOIDED = "It is a draft of a run awaiting review: finalize or discard the run first."
DRAFT_NOT_CREDITED = "A draft invoice cannot be credited: finalize or discard the run first."
VOID_NOT_CREDITED = "A void invoice cannot be credited."
CREDITED_NOT_VOIDED = (
    "A credit note of this invoice gave the client credit: credit the rest of the invoice "
    "instead of voiding it."
)
DELETE_DEV_ONLY = "Invoices can only be deleted in the development environment."


# Transitions.


def status_for_balance(balance_cents: int, total_cents: int) -> InvoiceStatus:
    """An issued invoice's status from what it still owes: PAID once nothing is owed, PARTIAL
    while part of the total is paid, else UNPAID."""
    if balance_cents <= 0:
        return InvoiceStatus.PAID
    if balance_cents < total_cents:
        return InvoiceStatus.PARTIAL
    return InvoiceStatus.UNPAID


def issued_status(total_cents: int) -> InvoiceStatus:
    """The status an invoice is issued with (by a run, or a draft at finalize): nothing paid
    yet, so UNPAID; a zero-total invoice is issued PAID, for the record."""
    return status_for_balance(total_cents, total_cents)


def issued_status_sql(total_column: str) -> str:
    """`issued_status` as an SQL expression over an invoice's total column, for the statement
    that finalizes drafts set-at-a-time."""
    return (
        f"CASE WHEN {total_column} = 0 THEN '{issued_status(0).value}' "
        f"ELSE '{issued_status(1).value}' END"
    )


VOIDED_STATUS = InvoiceStatus.VOID


# Actions: None where allowed, else why not.


def view_refusal(status: InvoiceStatus) -> BillingRuleError | None:
    """Every invoice may be viewed, drafts and void ones included."""
    return None


def send_refusal(
    status: InvoiceStatus,
    *,
    client_name: str | None,
    client_email: str | None,
    mailbox_problem: str | None,
) -> BillingRuleError | None:
    """Why a person may not email the invoice now: a draft or void invoice, a client without
    an email address (`client_name` None where there is no client), or the tenant's mailbox
    (`mailbox_problem`: what is missing from its settings)."""
    if status == InvoiceStatus.DRAFT:
        return BillingRuleError(ErrorCode.INVALID_INPUT, DRAFT_NOT_SENT, field="id")
    if status not in SENDABLE_STATUSES:
        return BillingRuleError(ErrorCode.INVALID_INPUT, VOID_NOT_SENT, field="id")
    if not client_email:
        name = f" {client_name}" if client_name is not None else ""
        return BillingRuleError(
            ErrorCode.CLIENT_EMAIL_MISSING, f"The client{name} has no email address."
        )
    if mailbox_problem:
        return BillingRuleError(ErrorCode.MAILBOX_UNAVAILABLE, mailbox_problem)
    return None


def auto_email_refusal(
    status: InvoiceStatus, *, total_cents: int, auto_email: bool, emailed_at: datetime | None
) -> BillingRuleError | None:
    """Why the email job skips the invoice: it emails each issued, non-void invoice with a
    total that was marked for auto email at issue, once. (Sending also needs what
    `send_refusal` asks.)"""
    if status == InvoiceStatus.DRAFT:
        return _skip("the invoice is a draft")
    if status not in SENDABLE_STATUSES:
        return _skip("the invoice is void")
    if total_cents <= 0:
        return _skip("zero-total invoices are not emailed automatically")
    if not auto_email:
        return _skip("the invoice is not set to be emailed automatically")
    if emailed_at is not None:
        return _skip("the invoice was already emailed")
    return None


def void_refusal(
    status: InvoiceStatus,
    *,
    allocation_count: int,
    charge_in_flight: bool = False,
    credited_to_client: bool = False,
) -> BillingRuleError | None:
    """Why the invoice may not be voided now: only an unpaid invoice with no payment allocated,
    no card payment being taken and no credit note that gave the client credit may be."""
    if status == InvoiceStatus.VOID:
        return BillingRuleError(ErrorCode.ALREADY_VOID, "The invoice is already void.")
    if status == InvoiceStatus.DRAFT:
        return BillingRuleError(ErrorCode.NOT_VOIDABLE, DRAFT_NOT_VOIDED)
    if status not in VOIDABLE_STATUSES:
        return BillingRuleError(
            ErrorCode.NOT_VOIDABLE,
            f"The invoice is {status.value}: only unpaid invoices can be voided.",
        )
    if allocation_count:
        return BillingRuleError(
            ErrorCode.HAS_ALLOCATIONS,
            "Payments are allocated to the invoice: remove them before voiding it.",
        )
    if charge_in_flight:
        return BillingRuleError(
            ErrorCode.NOT_VOIDABLE, "A card payment for this invoice is being taken right now."
        )
    if credited_to_client:
        # Voided, the invoice would owe nothing while its credit note's credit stayed with the
        # client: money the client never paid.
        return BillingRuleError(ErrorCode.NOT_VOIDABLE, CREDITED_NOT_VOIDED)
    return None


def credit_refusal(status: InvoiceStatus) -> BillingRuleError | None:
    """Why no credit note may be issued for the invoice: only an issued, non-void invoice is
    credited (how much is left to credit is the credit note's own rule)."""
    if status == InvoiceStatus.DRAFT:
        return BillingRuleError(ErrorCode.NOT_CREDITABLE, DRAFT_NOT_CREDITED, field="invoiceId")
    if status not in SENDABLE_STATUSES:
        return BillingRuleError(ErrorCode.NOT_CREDITABLE, VOID_NOT_CREDITED, field="invoiceId")
    return None


def delete_refusal(*, development: bool) -> BillingRuleError | None:
    """Deleting an invoice for good is a development tool, refused everywhere else."""
    if not development:
        return BillingRuleError(ErrorCode.DEV_ONLY, DELETE_DEV_ONLY)
    return None


def payment_refusal(status: InvoiceStatus, *, balance_cents: int) -> BillingRuleError | None:
    """Why money cannot be allocated to the invoice: only an issued, non-void invoice that
    still owes something takes a payment (the money is kept as the client's credit)."""
    if status == InvoiceStatus.DRAFT:
        return _skip("the invoice is a draft")
    if status == InvoiceStatus.VOID:
        return _skip("the invoice is void")
    if status not in PAYABLE_STATUSES or balance_cents <= 0:
        return _skip("the invoice has nothing left to pay")
    return None


def takes_payment(status: InvoiceStatus, balance_cents: int) -> bool:
    """Whether money can be allocated to the invoice (see `payment_refusal`)."""
    return payment_refusal(status, balance_cents=balance_cents) is None


def auto_charge_refusal(status: InvoiceStatus, *, balance_cents: int) -> BillingRuleError | None:
    """Why the charge job does not charge the invoice to the client's saved card: exactly when
    it would take no payment. (A charge already in flight is the job's own concern.)"""
    return payment_refusal(status, balance_cents=balance_cents)


def remind_refusal(
    status: InvoiceStatus, *, balance_cents: int, due_on: date, today: date
) -> BillingRuleError | None:
    """Why a payment reminder may not be emailed for the invoice today (NOT_OVERDUE): only an
    issued invoice with something still owed, past its due date (from the day after it)."""
    if status not in PAYABLE_STATUSES or balance_cents <= 0:
        return BillingRuleError(
            ErrorCode.NOT_OVERDUE, "The invoice has nothing owed: it is a draft, void or paid."
        )
    if today <= due_on:
        return BillingRuleError(
            ErrorCode.NOT_OVERDUE,
            f"The invoice is not past due: it is due on {due_on.isoformat()}.",
        )
    return None


def _skip(reason: str) -> BillingRuleError:
    """A refusal a job records as its reason for doing nothing (no person acts on it)."""
    return BillingRuleError(ErrorCode.INVALID_INPUT, reason)
