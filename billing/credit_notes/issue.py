"""Issuing a credit note for an issued invoice: the whole invoice or chosen lines, settled as
OFFSET (off the invoice's balance), CREDIT (the client's credit balance) or REFUND (money back,
through Stripe's refunds where the invoice was paid by card).

Everything happens in one transaction under the invoice's row lock (`lock_invoice`), so two
credit notes of one invoice never both take what only one of them could: what is left uncredited
on each line, the invoice's total, and for OFFSET its balance are read under the lock. The credit
note takes the next number of the tenant's credit note series in the same transaction. A Stripe
refund is the last step before the commit: when Stripe refuses, nothing is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import stripe
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.credit_notes.amounts import (
    LINES_FIELD,
    CreditableLine,
    CreditedLine,
    CreditFigures,
    LineCredit,
    credit_figures,
    credited_lines,
)
from billing.credit_notes.numbering import take_credit_note_number
from billing.credit_notes.refunds import refund_card_payment
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.dates import today_in
from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import claim, complete, idempotent_request, purge_expired
from billing.invoices import lifecycle
from billing.invoices.customer_document import tax_row_of
from billing.invoices.rebilling import put_back_charges, put_back_periods
from billing.money import to_minor_units
from billing.payments.balances import settle_balances
from billing.payments.locks import lock_invoice
from billing.taxes.calculation import TaxRow
from billing.text import single_line_text_problem
from orm.models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteTax,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    PaymentAllocation,
    Tenant,
)

OPERATION = "issue_credit_note"
# As a void reason's.
MAX_REASON_LENGTH = 1_000
INVOICE_FIELD = "invoiceId"


@dataclass(frozen=True, slots=True)
class LineAmount:
    """A chosen invoice line and the net amount to credit on it, in the invoice's currency."""

    invoice_line_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteRequest:
    """What to credit: `lines` None credits what is left of the whole invoice."""

    invoice_id: int
    reason: str
    settlement: CreditNoteSettlement = CreditNoteSettlement.OFFSET
    lines: tuple[LineAmount, ...] | None = None
    reset_service_schedule: bool = False

    def fingerprint_input(self) -> dict[str, object]:
        return {
            "invoice_id": self.invoice_id,
            "reason": self.reason,
            "settlement": self.settlement.value,
            "lines": None
            if self.lines is None
            else [[line.invoice_line_id, str(line.amount)] for line in self.lines],
            "reset_service_schedule": self.reset_service_schedule,
        }


async def issue_credit_note(
    *,
    tenant_id: int,
    user_id: int | None,
    request: CreditNoteRequest,
    idempotency_key: str | None = None,
    stripe_client: stripe.StripeClient | None = None,
) -> CreditNote:
    """Issue the credit note (BillingRuleError where the invoice, the amounts, the reason, the
    key or Stripe refuse; then nothing is changed). Repeated under its idempotency key, it
    returns the first credit note and does nothing more."""
    if problem := reason_problem(request.reason):
        raise BillingRuleError(ErrorCode.INVALID_INPUT, f"The reason {problem}.", field="reason")
    idempotent = idempotent_request(
        tenant_id, idempotency_key, OPERATION, request.fingerprint_input()
    )
    if idempotent is not None:
        await purge_expired(tenant_id)
    async with in_transaction() as conn:
        if (earlier := await claim(idempotent, conn)) is not None:
            return await CreditNote.get(id=earlier["credit_note_id"]).using_db(conn)
        invoice = await lock_invoice(tenant_id=tenant_id, invoice_id=request.invoice_id, conn=conn)
        if invoice is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice.", field=INVOICE_FIELD)
        note = await credit_locked_invoice(
            conn,
            invoice,
            user_id=user_id,
            reason=request.reason.strip(),
            chosen=_minor_unit_lines(request.lines, invoice.currency),
            settlement=request.settlement,
            reset_service_schedule=request.reset_service_schedule,
            stripe_client=stripe_client,
        )
        await complete(idempotent, {"credit_note_id": note.id}, conn)
    return note


def reason_problem(reason: str) -> str | None:
    """Why a credit note's reason cannot be printed on it ("must …"), or None."""
    if not reason.strip():
        return "must not be empty"
    if len(reason) > MAX_REASON_LENGTH:
        return f"must be at most {MAX_REASON_LENGTH:,} characters long"
    return single_line_text_problem(reason)


def _minor_unit_lines(lines: Sequence[LineAmount] | None, currency: str) -> list[LineCredit] | None:
    if lines is None:
        return None
    try:
        return [
            LineCredit(line.invoice_line_id, to_minor_units(line.amount, currency))
            for line in lines
        ]
    except BillingRuleError as error:
        raise BillingRuleError(error.code, error.message, field=LINES_FIELD) from error


async def credit_locked_invoice(
    conn: BaseDBAsyncClient,
    invoice: Invoice,
    *,
    user_id: int | None,
    reason: str,
    chosen: Sequence[LineCredit] | None,
    settlement: CreditNoteSettlement,
    reset_service_schedule: bool = False,
    stripe_client: stripe.StripeClient | None = None,
) -> CreditNote:
    """Credit the invoice, read with `lock_invoice` in `conn`'s transaction: the credit note,
    its lines and taxes, the invoice's credited amount (and for OFFSET its balance and status),
    the periods put back where asked, the refund, and the audit record."""
    if (refusal := lifecycle.credit_refusal(invoice.status)) is not None:
        raise refusal
    invoice_lines = (
        await InvoiceLine.filter(invoice_id=invoice.id).using_db(conn).order_by("position", "id")
    )
    creditable = await _creditable_lines(conn, invoice_lines)
    lines = credited_lines(creditable, chosen)
    figures = credit_figures(
        lines, invoice_lines=creditable, invoice_rows=await _invoice_rows(conn, invoice)
    )
    await _check_limits(conn, invoice, figures, settlement)
    rebilled = _rebilled_lines(invoice_lines, creditable, lines) if reset_service_schedule else []
    note = await _write_credit_note(conn, invoice, figures, reason, settlement, user_id)
    await _settle(conn, invoice, figures.total, settlement)
    if rebilled:
        await _put_back(conn, invoice, rebilled)
    await record_action(
        tenant_id=invoice.tenant_id,
        user_id=user_id,
        action=AuditAction.CREDIT,
        invoice_id=invoice.id,
        detail={
            "credit_note_id": note.id,
            "number": note.number,
            "settlement": settlement.value,
            "total_cents": note.total_cents,
            "reset_service_schedule": bool(rebilled),
            "reason": reason,
        },
        using_db=conn,
    )
    if settlement is CreditNoteSettlement.REFUND:
        await _refund_card(conn, invoice, note, stripe_client)
    return note


async def _creditable_lines(
    conn: BaseDBAsyncClient, invoice_lines: Sequence[InvoiceLine]
) -> list[CreditableLine]:
    credited: dict[int, int] = defaultdict(int)
    rows = await (
        CreditNoteLine.filter(invoice_line_id__in=[line.id for line in invoice_lines])
        .using_db(conn)
        .values_list("invoice_line_id", "amount_cents")
    )
    for line_id, amount in rows:
        credited[line_id] += amount
    return [
        CreditableLine(
            id=line.id,
            description=line.description,
            amount=line.amount_cents,
            credited=credited[line.id],
            rate=line.tax_rate,
        )
        for line in invoice_lines
    ]


async def _invoice_rows(conn: BaseDBAsyncClient, invoice: Invoice) -> list[TaxRow]:
    rows = await InvoiceTax.filter(invoice_id=invoice.id).using_db(conn).order_by("id")
    return [tax_row_of(row) for row in rows]


async def _check_limits(
    conn: BaseDBAsyncClient,
    invoice: Invoice,
    figures: CreditFigures,
    settlement: CreditNoteSettlement,
) -> None:
    """Never more than the invoice's total over all its credit notes; for OFFSET never more than
    its balance; for REFUND never more than was paid on it and not yet paid back."""
    if invoice.credited_cents + figures.total > invoice.total_cents:
        raise _exceeds("The credit notes would credit more than the invoice's total.")
    if settlement is CreditNoteSettlement.OFFSET and figures.total > invoice.balance_cents:
        raise _exceeds(
            "An offset takes at most the invoice's balance: settle the rest as CREDIT or REFUND."
        )
    if settlement is CreditNoteSettlement.REFUND:
        paid = sum(
            await PaymentAllocation.filter(invoice_id=invoice.id)
            .using_db(conn)
            .values_list("amount_cents", flat=True)
        )
        refunded = sum(
            await CreditNote.filter(invoice_id=invoice.id, settlement=CreditNoteSettlement.REFUND)
            .using_db(conn)
            .values_list("total_cents", flat=True)
        )
        if figures.total > paid - refunded:
            raise _exceeds("A refund pays back at most what was paid on the invoice.")


def _exceeds(message: str) -> BillingRuleError:
    return BillingRuleError(ErrorCode.CREDIT_EXCEEDS_INVOICE, message)


def _rebilled_lines(
    invoice_lines: Sequence[InvoiceLine],
    creditable: Sequence[CreditableLine],
    lines: Sequence[CreditedLine],
) -> list[InvoiceLine]:
    """The invoice lines to bill again: each credited line, which must be credited in full
    (billing a period again while part of it stays billed would bill that part twice)."""
    left = {line.id: line.left for line in creditable}
    credited = {line.invoice_line_id for line in lines}
    if any(left[line.invoice_line_id] != line.amount for line in lines):
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT,
            "Resetting the service schedule needs each credited line credited in full.",
            field="resetServiceSchedule",
        )
    return [line for line in invoice_lines if line.id in credited]


async def _write_credit_note(
    conn: BaseDBAsyncClient,
    invoice: Invoice,
    figures: CreditFigures,
    reason: str,
    settlement: CreditNoteSettlement,
    user_id: int | None,
) -> CreditNote:
    tenant = await Tenant.get(id=invoice.tenant_id).using_db(conn)
    note = await CreditNote.create(
        tenant_id=invoice.tenant_id,
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        number=await take_credit_note_number(conn, invoice.tenant_id),
        issued_on=today_in(tenant.timezone),
        reason=reason,
        settlement=settlement,
        currency=invoice.currency,
        subtotal_cents=figures.subtotal,
        tax_cents=figures.tax,
        total_cents=figures.total,
        created_by_id=user_id,
        using_db=conn,
    )
    await CreditNoteLine.bulk_create(
        [
            CreditNoteLine(
                tenant_id=invoice.tenant_id,
                credit_note_id=note.id,
                invoice_line_id=line.invoice_line_id,
                position=position,
                description=line.description,
                amount_cents=line.amount,
                tax_rate=line.rate,
            )
            for position, line in enumerate(figures.lines)
        ],
        using_db=conn,
    )
    await CreditNoteTax.bulk_create(
        [
            CreditNoteTax(
                tenant_id=invoice.tenant_id,
                credit_note_id=note.id,
                category=row.category.value,
                rate=row.rate,
                taxable_cents=row.taxable,
                tax_cents=row.tax,
                exemption_reason=row.exemption_reason,
            )
            for row in figures.rows
        ],
        using_db=conn,
    )
    return note


async def _settle(
    conn: BaseDBAsyncClient, invoice: Invoice, total: int, settlement: CreditNoteSettlement
) -> None:
    """Raise what the invoice has credited; an OFFSET, written already, lowers its balance as
    the records now say, and its status follows (nothing left owed: PAID)."""
    invoice.credited_cents += total
    await invoice.save(using_db=conn, update_fields=["credited_cents"])
    if settlement is CreditNoteSettlement.OFFSET:
        await settle_balances(conn, [invoice])


async def _put_back(
    conn: BaseDBAsyncClient, invoice: Invoice, lines: Sequence[InvoiceLine]
) -> None:
    """The credited lines stop billing their periods and charges, which the next run bills
    again."""
    await InvoiceLine.filter(id__in=[line.id for line in lines]).using_db(conn).update(live=False)
    await put_back_periods(conn, invoice, lines)
    await put_back_charges(
        conn, invoice, {line.charge_id for line in lines if line.charge_id is not None}
    )


async def _refund_card(
    conn: BaseDBAsyncClient,
    invoice: Invoice,
    note: CreditNote,
    stripe_client: stripe.StripeClient | None,
) -> None:
    """Pay a card payment back through Stripe (the newest card payment of the invoice); money
    paid otherwise is recorded as paid back by the credit note itself."""
    allocation = (
        await PaymentAllocation.filter(
            invoice_id=invoice.id, payment__stripe_payment_intent_id__isnull=False
        )
        .using_db(conn)
        .select_related("payment")
        .order_by("-payment__paid_on", "-id")
        .first()
    )
    if allocation is None:
        return
    note.stripe_refund_id = await refund_card_payment(
        stripe_client,
        payment_intent_id=allocation.payment.stripe_payment_intent_id,
        amount=note.total_cents,
        idempotency_key=f"credit-note-{note.tenant_id}-{note.number}",
    )
    await note.save(using_db=conn, update_fields=["stripe_refund_id"])
