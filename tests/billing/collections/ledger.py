"""A tenant's collections kept in memory, applying plans as the daily pass and the settling
transaction will: what the walk and the property tests drive through time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from billing.collections.decisions import (
    BlockedReason,
    ClientSnapshot,
    CollectionsPlan,
    InvoiceSnapshot,
    plan_collections,
)
from billing.collections.policy import CollectionsPolicy


@dataclass
class CollectionsLedger:
    """One client, its invoices, and every action collections took, day by day."""

    policy: CollectionsPolicy
    client: ClientSnapshot
    invoices: dict[int, InvoiceSnapshot] = field(default_factory=dict)
    events: list[tuple[date, str]] = field(default_factory=list)

    def daily_pass(self, today: date) -> CollectionsPlan:
        plan = self._plan(today)
        for reminder in plan.reminders:
            invoice = self.invoices[reminder.invoice_id]
            sent = invoice.reminder_levels_sent | {reminder.level}
            self.invoices[invoice.invoice_id] = replace(invoice, reminder_levels_sent=sent)
            self.events.append((today, f"reminder {reminder.level} for {invoice.number}"))
        for fee in plan.late_fees:
            invoice = self.invoices[fee.invoice_id]
            self.invoices[fee.invoice_id] = replace(invoice, late_fee_added=True)
            self.events.append((today, f"{fee.description}: {fee.amount}"))
        self._apply_standing(plan)
        return plan

    def pay(self, invoice_id: int, amount: int, today: date) -> None:
        """A payment, settled with the same plan in its own transaction."""
        invoice = self.invoices[invoice_id]
        balance = invoice.balance - amount
        status = "paid" if balance == 0 else "partial"
        self.invoices[invoice_id] = replace(invoice, balance=balance, status=status)
        self.events.append((today, f"payment {amount} for {invoice.number}"))
        self.settle(today)

    def settle(self, today: date) -> None:
        self._apply_standing(self._plan(today))

    def set_blocked_by_hand(self, blocked: bool, today: date) -> None:
        reason = BlockedReason.MANUAL if blocked else None
        self.client = replace(self.client, blocked_reason=reason)
        self.settle(today)

    def _plan(self, today: date) -> CollectionsPlan:
        return plan_collections(self.client, list(self.invoices.values()), self.policy, today)

    def _apply_standing(self, plan: CollectionsPlan) -> None:
        if plan.status_change is not None:
            self.client = replace(self.client, status=plan.status_change.new)
            self.events.append((plan.today, f"status {plan.status_change.new}"))
        if plan.block_change is not None:
            self.client = replace(self.client, blocked_reason=plan.block_change.new)
            new = plan.block_change.new
            self.events.append((plan.today, f"blocked {new}" if new else "unblocked"))
