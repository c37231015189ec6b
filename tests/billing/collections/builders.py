"""Plain values for collections tests: one client's invoices and a tenant's policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from billing.collections.decisions import BlockedReason, ClientSnapshot, InvoiceSnapshot

CLIENT_ID = 7


def owed_invoice(
    due_on: date,
    *,
    grace_days: int = 10,
    balance: int = 5000,
    invoice_id: int = 1,
    status: str = "unpaid",
    levels_sent: frozenset[int] = frozenset(),
    late_fee_added: bool = False,
) -> InvoiceSnapshot:
    """An issued invoice of CLIENT_ID still owed, due on the day, with its grace period."""
    return InvoiceSnapshot(
        invoice_id=invoice_id,
        client_id=CLIENT_ID,
        number=f"INV-{invoice_id:06d}",
        status=status,
        due_on=due_on,
        grace_until=due_on + timedelta(days=grace_days),
        balance=balance,
        reminder_levels_sent=levels_sent,
        late_fee_added=late_fee_added,
    )


def paid(invoice: InvoiceSnapshot) -> InvoiceSnapshot:
    return replace(invoice, status="paid", balance=0)


def client(status: str = "active", blocked_reason: BlockedReason | None = None) -> ClientSnapshot:
    return ClientSnapshot(client_id=CLIENT_ID, status=status, blocked_reason=blocked_reason)
