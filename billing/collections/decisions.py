"""What collections does for one client on one day, decided from plain values.

The daily pass reads a client and its invoices, asks `plan_collections` for the day's plan and
applies it; the transaction that settles an invoice (a payment, a credit note, a void) asks the same
function and applies its status and block changes at once, so a block is lifted the moment nothing
is past grace, not at the next pass. Reminders and late fees are the daily pass's to send and add.

Dates are the tenant's calendar days; "today" is always a parameter. An invoice is past due from
the day after its due date and past grace from the day after its grace date. Only an issued invoice
that is still owed (unpaid or partly paid, with a balance) counts: never a draft, a void or a paid
invoice, nor a zero balance.

Rules decided here:
- Reminders: the level due today is the highest level whose day (due date + reminder_days[level-1],
  moved to the next working day where non-working days are skipped) has come, where no level as
  high has been sent. After missed days only that latest level goes out; the lower levels it passed
  are never sent and not recorded (an invoice's reminders are the emails it really got). With
  non-working days skipped, nothing goes out on a weekend or public holiday, even a level that came
  due earlier.
- Late fee: once per invoice past grace with a balance: the fixed amount, or the percent of the
  balance rounded half up to the minor unit, the larger where both are set; nothing where that
  comes to 0.
- Status: an active client with an invoice past due is overdue; an overdue one with none is active
  again. Suspended and inactive clients keep their status.
- Block: with `block_after_grace`, a client with an invoice past grace is blocked (reason OVERDUE).
  An OVERDUE block is lifted as soon as no invoice is past grace, and also when `block_after_grace`
  is turned off: an OVERDUE block exists only because of that setting, and a billing team that
  turns it off means collections to stop blocking, not to leave the clients it blocked cut off
  until they pay. A MANUAL block is a person's decision: collections never lifts it and never
  replaces it with OVERDUE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.collections.policy import CollectionsPolicy
from billing.collections.working_days import is_working_day, next_working_day
from billing.invoices.lifecycle import PAYABLE_STATUSES, InvoiceStatus, remind_refusal

CLIENT_ACTIVE = ClientStatus.ACTIVE
CLIENT_OVERDUE = ClientStatus.OVERDUE
OPEN_INVOICE_STATUSES = frozenset(PAYABLE_STATUSES)


def blocked_reason_of(blocked: bool, reason: str | None) -> BlockedReason | None:
    """The reason a stored client is blocked; None where it is not. A block stored without a
    reason (imported, or set before reasons were kept) is a person's: MANUAL."""
    if not blocked:
        return None
    return BlockedReason(reason) if reason else BlockedReason.MANUAL


@dataclass(frozen=True, slots=True)
class InvoiceSnapshot:
    """An invoice as collections sees it; `balance` in the currency's minor units."""

    invoice_id: int
    client_id: int
    number: str | None
    status: str
    due_on: date
    grace_until: date
    balance: int
    reminder_levels_sent: frozenset[int] = frozenset()
    late_fee_added: bool = False

    @property
    def is_owed(self) -> bool:
        """Issued, not void or paid, with something still to pay."""
        return self.status in OPEN_INVOICE_STATUSES and self.balance > 0

    def is_past_due(self, today: date) -> bool:
        return self.is_owed and today > self.due_on

    def is_past_grace(self, today: date) -> bool:
        return self.is_owed and today > self.grace_until


@dataclass(frozen=True, slots=True)
class ClientSnapshot:
    """A client as collections sees it; `blocked_reason` None where it is not blocked."""

    client_id: int
    status: str
    blocked_reason: BlockedReason | None = None


@dataclass(frozen=True, slots=True)
class ReminderDue:
    invoice_id: int
    level: int


@dataclass(frozen=True, slots=True)
class LateFee:
    """A pending one-time charge for the client, which the next run bills."""

    invoice_id: int
    client_id: int
    amount: int
    description: str
    scheduled_on: date


@dataclass(frozen=True, slots=True)
class StatusChange:
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class BlockChange:
    """The client's block before and after; `new` None lifts the block."""

    old: BlockedReason | None
    new: BlockedReason | None


@dataclass(frozen=True, slots=True)
class CollectionsPlan:
    """Everything collections does for one client on one day."""

    client_id: int
    today: date
    reminders: tuple[ReminderDue, ...] = ()
    late_fees: tuple[LateFee, ...] = ()
    status_change: StatusChange | None = None
    block_change: BlockChange | None = None

    @property
    def has_actions(self) -> bool:
        return bool(self.reminders or self.late_fees or self.status_change or self.block_change)


def reminder_send_date(due_on: date, days_after_due: int, policy: CollectionsPolicy) -> date:
    """The day a reminder level goes out: its day after the due date, or the next working day."""
    day = due_on + timedelta(days=days_after_due)
    if policy.skip_non_working_days:
        return next_working_day(day, policy.holiday_country)
    return day


def reminder_level_due(
    invoice: InvoiceSnapshot, policy: CollectionsPolicy, today: date
) -> int | None:
    """The reminder level to email for the invoice today, or None."""
    if not invoice.is_past_due(today):
        return None
    if policy.skip_non_working_days and not is_working_day(today, policy.holiday_country):
        return None
    latest = latest_level_come_due(invoice.due_on, policy, today)
    if latest is None or latest <= max(invoice.reminder_levels_sent, default=0):
        return None
    return latest


def latest_level_come_due(due_on: date, policy: CollectionsPolicy, today: date) -> int | None:
    """The highest reminder level whose day has come by today, or None."""
    come_due = [
        level
        for level, days in enumerate(policy.reminder_days, start=1)
        if reminder_send_date(due_on, days, policy) <= today
    ]
    return come_due[-1] if come_due else None


def manual_reminder_refusal(invoice: InvoiceSnapshot, today: date) -> str | None:
    """Why a person may not email a reminder for the invoice now (NOT_OVERDUE), or None: the
    invoice lifecycle's remind rule."""
    refusal = remind_refusal(
        InvoiceStatus(invoice.status),
        balance_cents=invoice.balance,
        due_on=invoice.due_on,
        today=today,
    )
    return refusal.message if refusal is not None else None


def next_reminder_level(invoice: InvoiceSnapshot) -> int:
    """The level a reminder sent by hand counts as: one above the highest sent, so the automatic
    levels it reaches are not sent again."""
    return max(invoice.reminder_levels_sent, default=0) + 1


def late_fee_minor_units(balance: int, policy: CollectionsPolicy) -> int:
    """The late fee on a balance: the fixed amount or the percent of the balance, rounded half up
    to the minor unit, the larger where both are set; 0 where neither is."""
    fees = []
    if policy.late_fee_amount is not None:
        fees.append(policy.late_fee_amount)
    if policy.late_fee_percent is not None:
        share = (Decimal(balance) * policy.late_fee_percent).scaleb(-2)
        fees.append(int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return max(fees, default=0)


def late_fee_description(invoice: InvoiceSnapshot) -> str:
    return f"Late fee for {invoice.number or f'invoice {invoice.invoice_id}'}"


def late_fee_due(
    invoice: InvoiceSnapshot, policy: CollectionsPolicy, today: date
) -> LateFee | None:
    """The late fee to add for the invoice today, or None."""
    if invoice.late_fee_added or not invoice.is_past_grace(today):
        return None
    amount = late_fee_minor_units(invoice.balance, policy)
    if amount <= 0:
        return None
    return LateFee(
        invoice_id=invoice.invoice_id,
        client_id=invoice.client_id,
        amount=amount,
        description=late_fee_description(invoice),
        scheduled_on=today,
    )


def client_status_change(
    client: ClientSnapshot, invoices: Sequence[InvoiceSnapshot], today: date
) -> StatusChange | None:
    """Active ↔ overdue as the client's invoices are or stop being past due; None otherwise."""
    if client.status not in (CLIENT_ACTIVE, CLIENT_OVERDUE):
        return None
    past_due = any(invoice.is_past_due(today) for invoice in invoices)
    new_status = CLIENT_OVERDUE if past_due else CLIENT_ACTIVE
    return StatusChange(client.status, new_status) if new_status != client.status else None


def block_change(
    client: ClientSnapshot,
    invoices: Sequence[InvoiceSnapshot],
    policy: CollectionsPolicy,
    today: date,
) -> BlockChange | None:
    """Block (OVERDUE) or lift an OVERDUE block as the rules in this module's docstring say."""
    if client.blocked_reason is BlockedReason.MANUAL:
        return None
    past_grace = any(invoice.is_past_grace(today) for invoice in invoices)
    should_block = policy.block_after_grace and past_grace
    new_reason = BlockedReason.OVERDUE if should_block else None
    if new_reason == client.blocked_reason:
        return None
    return BlockChange(client.blocked_reason, new_reason)


def plan_collections(
    client: ClientSnapshot,
    invoices: Sequence[InvoiceSnapshot],
    policy: CollectionsPolicy,
    today: date,
) -> CollectionsPlan:
    """The day's plan for the client, from all its issued invoices (drafts, void and paid ones may
    be among them: they count for nothing)."""
    strangers = [
        invoice.invoice_id for invoice in invoices if invoice.client_id != client.client_id
    ]
    if strangers:
        raise ValueError(f"invoices {strangers} are not client {client.client_id}'s")
    reminders = tuple(
        ReminderDue(invoice.invoice_id, level)
        for invoice in invoices
        if (level := reminder_level_due(invoice, policy, today)) is not None
    )
    late_fees = tuple(
        fee for invoice in invoices if (fee := late_fee_due(invoice, policy, today)) is not None
    )
    return CollectionsPlan(
        client_id=client.client_id,
        today=today,
        reminders=reminders,
        late_fees=late_fees,
        status_change=client_status_change(client, invoices, today),
        block_change=block_change(client, invoices, policy, today),
    )
