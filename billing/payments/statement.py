"""A client's statement: every invoice, payment, credit note, refund and reversal in date order
with a running balance, and the balances before and after the period.

What each record adds to what the client owes (debit) or takes off it (credit):
- an issued invoice: its total (a void one: only what credit notes credited on it, so that the
  void and its credit notes together come to nothing);
- a payment: its amount, credited; its reversal debits it again;
- a credit note: its total, credited; settled as REFUND, the money paid back is also debited;
- a refund out of a payment's unallocated part: debited.
So the closing balance always equals the client's balance due less its credit balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from billing.credit_notes.settlement import CreditNoteSettlement
from billing.invoices.lifecycle import InvoiceStatus
from billing.payments.methods import PaymentStatus
from orm.models import CreditNote, Invoice, Payment, PaymentRefund


class StatementEntryKind(StrEnum):
    INVOICE = "invoice"
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"
    REFUND = "refund"
    REVERSAL = "reversal"


# Within a day: what was billed, then what was credited, paid, paid back and reversed.
DAY_ORDER = {
    StatementEntryKind.INVOICE: 0,
    StatementEntryKind.CREDIT_NOTE: 1,
    StatementEntryKind.PAYMENT: 2,
    StatementEntryKind.REFUND: 3,
    StatementEntryKind.REVERSAL: 4,
}


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One record's effect on what the client owes, in minor units."""

    on: date
    kind: StatementEntryKind
    reference: str | None
    debit: int
    credit: int
    # Orders entries of one kind on one day (the record's id).
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class StatementLine:
    entry: LedgerEntry
    # After the entry: positive, the client owes; negative, the client is in credit.
    balance: int


@dataclass(frozen=True, slots=True)
class Statement:
    start: date | None
    end: date | None
    opening: int
    closing: int
    lines: tuple[StatementLine, ...]


def statement_of(entries: Iterable[LedgerEntry], start: date | None, end: date | None) -> Statement:
    """The statement of the period from `start` to `end` (inclusive; None: open-ended)."""
    ordered = sorted(entries, key=lambda e: (e.on, DAY_ORDER[e.kind], e.sequence))
    opening = sum(e.debit - e.credit for e in ordered if start is not None and e.on < start)
    balance = opening
    lines = []
    for entry in ordered:
        if (start is not None and entry.on < start) or (end is not None and entry.on > end):
            continue
        balance += entry.debit - entry.credit
        lines.append(StatementLine(entry, balance))
    return Statement(start, end, opening, balance, tuple(lines))


async def client_statement(
    tenant_id: int, client_id: int, start: date | None = None, end: date | None = None
) -> Statement:
    """The client's statement read from its records."""
    return statement_of(await ledger_entries(tenant_id, client_id), start, end)


async def ledger_entries(tenant_id: int, client_id: int) -> list[LedgerEntry]:
    scope = {"tenant_id": tenant_id, "client_id": client_id}
    invoices = await Invoice.filter(**scope).exclude(status=InvoiceStatus.DRAFT).order_by("id")
    payments = await Payment.filter(**scope).order_by("id")
    refunds = await PaymentRefund.filter(**scope).select_related("payment").order_by("id")
    notes = await CreditNote.filter(**scope).order_by("id")
    return [
        *_invoice_entries(invoices),
        *_payment_entries(payments),
        *(
            LedgerEntry(
                refund.refunded_on,
                StatementEntryKind.REFUND,
                refund.payment.reference,
                refund.amount_cents,
                0,
                refund.id,
            )
            for refund in refunds
        ),
        *_credit_note_entries(notes),
    ]


def _invoice_entries(invoices: Iterable[Invoice]) -> Iterable[LedgerEntry]:
    for invoice in invoices:
        debit = (
            invoice.credited_cents if invoice.status == InvoiceStatus.VOID else invoice.total_cents
        )
        if debit or invoice.status != InvoiceStatus.VOID:
            yield LedgerEntry(
                invoice.issued_on, StatementEntryKind.INVOICE, invoice.number, debit, 0, invoice.id
            )


def _payment_entries(payments: Iterable[Payment]) -> Iterable[LedgerEntry]:
    for payment in payments:
        yield LedgerEntry(
            payment.paid_on,
            StatementEntryKind.PAYMENT,
            payment.reference,
            0,
            payment.amount_cents,
            payment.id,
        )
        if payment.status == PaymentStatus.REVERSED and payment.reversed_on is not None:
            yield LedgerEntry(
                payment.reversed_on,
                StatementEntryKind.REVERSAL,
                payment.reference,
                payment.amount_cents,
                0,
                payment.id,
            )


def _credit_note_entries(notes: Iterable[CreditNote]) -> Iterable[LedgerEntry]:
    for note in notes:
        yield LedgerEntry(
            note.issued_on,
            StatementEntryKind.CREDIT_NOTE,
            note.number,
            0,
            note.total_cents,
            note.id,
        )
        if note.settlement == CreditNoteSettlement.REFUND:
            yield LedgerEntry(
                note.issued_on, StatementEntryKind.REFUND, note.number, note.total_cents, 0, note.id
            )
