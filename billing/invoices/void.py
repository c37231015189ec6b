"""Voiding an invoice, optionally putting what it billed back on the schedule.

The number stays with the voided invoice and is never reused. With "reset service billing
schedule", each service period on it is put back for the next run to bill again, and each charge
it invoiced goes back to pending; runs skip any period sharing a day with a live invoice's, so no
day of a service is ever billed twice.

The reason is internal: kept on the invoice and in the audit trail, never shown to the customer.
A void may carry an idempotency key: repeated with it, it returns the voided invoice and does
nothing more.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.clients.eligibility import ChargeStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import claim, complete, idempotent_request, purge_expired
from billing.invoices import lifecycle
from billing.invoices.lines import InvoiceLineKind
from billing.payments.allocation import has_charge_in_flight, lock_invoice
from billing.periods import period_starting
from billing.text import unstorable_text
from orm.models import (
    Charge,
    Invoice,
    InvoiceLine,
    PaymentAllocation,
    Service,
    ServiceRebillPeriod,
)

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
        allocations = await PaymentAllocation.filter(invoice_id=invoice.id).using_db(conn).count()
        in_flight = await has_charge_in_flight(invoice.id, conn)
        refusal = lifecycle.void_refusal(
            invoice.status, allocation_count=allocations, charge_in_flight=in_flight
        )
        if refusal is not None:
            raise refusal
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


def reason_problem(reason: str) -> str | None:
    """Why a void reason cannot be kept ("must …"), or None."""
    if len(reason) > MAX_REASON_LENGTH:
        return f"must be at most {MAX_REASON_LENGTH:,} characters long"
    return unstorable_text(reason)


async def _reset_schedule(conn: BaseDBAsyncClient, invoice: Invoice) -> None:
    """Put back what the invoice billed: each of its service periods is recorded to be billed
    again by the next run (exactly those periods, whatever the service's period or anchor day
    is now, and with the schedule left where it is, so an old invoice never sets a client years
    behind); each charge it invoiced goes back to pending (a cancelled charge stays cancelled).
    A period the schedule has not yet passed needs no record: the schedule bills it again."""
    lines = await (
        InvoiceLine.filter(
            invoice_id=invoice.id,
            kind=InvoiceLineKind.SERVICE,
            service_id__isnull=False,
            period_start__isnull=False,
        )
        .using_db(conn)
        .all()
    )
    services = {
        service.id: service
        for service in await Service.select_for_update()
        .using_db(conn)
        .filter(id__in={line.service_id for line in lines}, tenant_id=invoice.tenant_id)
    }
    await ServiceRebillPeriod.bulk_create(
        [
            ServiceRebillPeriod(
                tenant_id=invoice.tenant_id,
                service_id=line.service_id,
                period_start=line.period_start,
                period_end=line.period_end or _period_end(services[line.service_id], line),
                voided_invoice_id=invoice.id,
            )
            for line in lines
            if line.service_id in services
            and line.period_start < services[line.service_id].next_bill_date
        ],
        using_db=conn,
    )
    await (
        Charge.filter(invoice_id=invoice.id, status=ChargeStatus.INVOICED)
        .using_db(conn)
        .update(status=ChargeStatus.PENDING, invoice_id=None)
    )


def _period_end(service: Service, line: InvoiceLine) -> date:
    """The end of a line's period where it recorded none: the service's period from its start."""
    return period_starting(line.period_start, service.period, service.anchor_day).end
