"""Voiding an invoice, optionally putting what it billed back on the schedule.

The number stays with the voided invoice and is never reused. With "reset service billing
schedule", each service period on it is put back for the next run to bill again, and each charge
it invoiced goes back to pending; runs skip any period sharing a day with a live invoice's, so no
day of a service is ever billed twice.

The reason is internal: kept on the invoice and in the audit trail, never shown to the customer.
Where the tenant's issued invoices are immutable (VAT), the void also issues a credit note
offsetting the whole invoice, the legal record of it; the invoice shows VOID.

A void may carry an idempotency key: repeated with it, it returns the voided invoice and does
nothing more.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.credit_notes.issue import credit_locked_invoice
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import claim, complete, idempotent_request, purge_expired
from billing.invoices import lifecycle
from billing.invoices.rebilling import put_back_charges, put_back_periods
from billing.payments.allocation import has_charge_in_flight
from billing.payments.locks import lock_invoice
from billing.text import unstorable_text
from orm.models import CreditApplication, Invoice, InvoiceLine, PaymentAllocation, Tenant

MAX_REASON_LENGTH = 1_000
VOID_OPERATION = "void_invoice"


async def void_invoice(
    *,
    tenant_id: int,
    user_id: int | None,
    invoice_id: int,
    reset_service_schedule: bool,
    reason: str | None,
    idempotency_key: str | None = None,
) -> Invoice:
    """Void the invoice (BillingRuleError where the lifecycle's void rule, the reason or the key
    refuse).

    Under an idempotency key the key is written in the void's transaction; a repeat returns
    the invoice as it is now and changes nothing.
    """
    if reason is not None and (problem := reason_problem(reason)):
        raise BillingRuleError(ErrorCode.INVALID_INPUT, f"The reason {problem}.", field="reason")
    request = idempotent_request(
        tenant_id,
        idempotency_key,
        VOID_OPERATION,
        {
            "invoice_id": invoice_id,
            "reset_service_schedule": reset_service_schedule,
            "reason": reason,
        },
    )
    if request is not None:
        await purge_expired(tenant_id)
    async with in_transaction() as conn:
        if (earlier := await claim(request, conn)) is not None:
            return await _voided_before(tenant_id, earlier["invoice_id"], conn)
        invoice = await lock_invoice(tenant_id=tenant_id, invoice_id=invoice_id, conn=conn)
        if invoice is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice.", field="id")
        # Money taken off its balance, from a payment or from a credit note's credit.
        allocations = (
            await PaymentAllocation.filter(invoice_id=invoice.id).using_db(conn).count()
            + await CreditApplication.filter(invoice_id=invoice.id).using_db(conn).count()
        )
        in_flight = await has_charge_in_flight(invoice.id, conn)
        refusal = lifecycle.void_refusal(
            invoice.status, allocation_count=allocations, charge_in_flight=in_flight
        )
        if refusal is not None:
            raise refusal
        if await _issued_invoices_immutable(invoice, conn):
            await _credit_in_full(conn, invoice, user_id)
        invoice.status = lifecycle.VOIDED_STATUS
        invoice.balance_cents = 0
        invoice.voided_at = datetime.now(UTC)
        invoice.void_reason = reason
        await invoice.save(using_db=conn)
        await InvoiceLine.filter(invoice_id=invoice.id).using_db(conn).update(live=False)
        if reset_service_schedule:
            await _reset_schedule(conn, invoice)
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.VOID,
            invoice_id=invoice.id,
            detail={
                "number": invoice.number,
                "reset_service_schedule": reset_service_schedule,
                "reason": reason,
            },
            using_db=conn,
        )
        await complete(request, {"invoice_id": invoice.id}, conn)
    return invoice


async def _voided_before(tenant_id: int, invoice_id: int, conn: BaseDBAsyncClient) -> Invoice:
    """The invoice a repeated void returns, as it is now (NOT_FOUND once deleted)."""
    invoice = await Invoice.filter(id=invoice_id, tenant_id=tenant_id).using_db(conn).first()
    if invoice is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice.", field="id")
    return invoice


async def _issued_invoices_immutable(invoice: Invoice, conn: BaseDBAsyncClient) -> bool:
    tenant = await Tenant.get(id=invoice.tenant_id).using_db(conn)
    return tenant.issued_invoices_immutable


async def _credit_in_full(conn: BaseDBAsyncClient, invoice: Invoice, user_id: int | None) -> None:
    """Where an issued invoice may not be changed, the legal record of its void is a credit note
    offsetting all of it."""
    await credit_locked_invoice(
        conn,
        invoice,
        user_id=user_id,
        reason=f"Invoice {invoice.number} is void.",
        chosen=None,
        settlement=CreditNoteSettlement.OFFSET,
    )


def reason_problem(reason: str) -> str | None:
    """Why a void reason cannot be kept ("must …"), or None."""
    if len(reason) > MAX_REASON_LENGTH:
        return f"must be at most {MAX_REASON_LENGTH:,} characters long"
    return unstorable_text(reason)


async def _reset_schedule(conn: BaseDBAsyncClient, invoice: Invoice) -> None:
    """Put back everything the invoice billed: its service periods and its charges."""
    lines = await InvoiceLine.filter(invoice_id=invoice.id).using_db(conn).all()
    await put_back_periods(conn, invoice, lines)
    await put_back_charges(conn, invoice)
