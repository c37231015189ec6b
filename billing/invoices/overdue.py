"""When an issued invoice is overdue, by how many days, and whether it is past its grace date.

An invoice is overdue on a day when it is owed (unpaid or partly paid, a balance above zero) and
its due date is before that day. The day is the tenant's today, given by the caller; the invoice
list's "overdue only" filter (`billing.invoices.listing`) keeps the same invoices in SQL.
"""

from __future__ import annotations

from datetime import date

from billing.collections.aging import days_past_due
from billing.invoices.lifecycle import InvoiceStatus

# The statuses of an invoice someone still owes money on.
OWED_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL)


def is_overdue(status: InvoiceStatus, balance_cents: int, due_on: date, today: date) -> bool:
    return status in OWED_STATUSES and balance_cents > 0 and due_on < today


def days_overdue(status: InvoiceStatus, balance_cents: int, due_on: date, today: date) -> int:
    """Whole days past the due date for an overdue invoice; 0 for any other."""
    if not is_overdue(status, balance_cents, due_on, today):
        return 0
    return days_past_due(due_on, today)


def is_past_grace(
    status: InvoiceStatus, balance_cents: int, grace_until: date, today: date
) -> bool:
    """Overdue beyond the grace date: where reminders, late fees and blocking begin."""
    return status in OWED_STATUSES and balance_cents > 0 and grace_until < today
