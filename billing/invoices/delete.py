"""Deleting an invoice for good: a development-only tool for cleaning up test data."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.clients.eligibility import ChargeStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import delete_refusal
from billing.payments.balances import recount_credit_sources
from billing.payments.locks import lock_invoice
from orm.models import (
    Charge,
    CreditApplication,
    Invoice,
    InvoiceRun,
    Payment,
    PaymentAllocation,
)


async def delete_invoice(
    *, tenant_id: int, user_id: int | None, invoice_id: int, development: bool
) -> int:
    """Remove the invoice, its lines, attempts and allocations (and payments that paid only it),
    putting its one-time charges back to pending. Returns the deleted id."""
    if refusal := delete_refusal(development=development):
        raise refusal
    async with in_transaction() as conn:
        invoice = await lock_invoice(tenant_id=tenant_id, invoice_id=invoice_id, conn=conn)
        if invoice is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice.", field="id")
        payment_ids = (
            await PaymentAllocation.filter(invoice_id=invoice.id)
            .using_db(conn)
            .values_list("payment_id", flat=True)
        )
        credit_note_ids = (
            await CreditApplication.filter(invoice_id=invoice.id)
            .using_db(conn)
            .values_list("credit_note_id", flat=True)
        )
        await (
            Charge.filter(invoice_id=invoice.id)
            .using_db(conn)
            .update(status=ChargeStatus.PENDING, invoice_id=None)
        )
        await invoice.delete(using_db=conn)
        await _take_off_its_run(conn, invoice)
        # Payments left with no allocation paid only this invoice: they go with it.
        await (
            Payment.filter(id__in=list(payment_ids), allocations__id__isnull=True)
            .using_db(conn)
            .delete()
        )
        await recount_credit_sources(conn, payment_ids, credit_note_ids)
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.DELETE,
            invoice_id=invoice_id,
            detail={"number": invoice.number},
            using_db=conn,
        )
    return invoice_id


async def _take_off_its_run(conn: BaseDBAsyncClient, invoice: Invoice) -> None:
    """The run that issued (or drafted) the invoice no longer counts it or its amount."""
    if invoice.run_id is None:
        return
    await (
        InvoiceRun.filter(id=invoice.run_id)
        .using_db(conn)
        .update(
            invoices_issued=F("invoices_issued") - 1,
            amount_issued_cents=F("amount_issued_cents") - invoice.total_cents,
            progress_version=F("progress_version") + 1,
        )
    )
