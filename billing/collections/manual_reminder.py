"""A person's payment reminder (`sendReminder`): emailed now, counted like an automatic one.

It takes the invoice's next reminder level (one above the highest claimed), so the automatic
levels it reaches are not sent again. Refused (NOT_OVERDUE) where the invoice is not past due or
owes nothing, as the invoice lifecycle's remind rule says. Under an idempotency key a repeat
returns the invoice and emails nothing; a failed send gives its level back and may be retried.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tortoise.transactions import in_transaction

from billing.collections.passes import ReminderTrigger
from billing.collections.reminder_email import SENDING_HOLD, email_reminder_once
from billing.dates import today_in
from billing.delivery.email import DeliveryFailure, EmailSettings, send_refusal_for
from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import claim_alone, complete_alone, idempotent_request, release
from billing.invoices import lifecycle
from billing.payments.locks import lock_invoice
from orm.models import Invoice, InvoiceReminder, Tenant

SEND_REMINDER_OPERATION = "send_reminder"
INVOICE_FIELD = "invoiceId"


async def send_reminder_now(
    *,
    tenant_id: int,
    invoice_id: int,
    settings: EmailSettings,
    user_id: int | None,
    idempotency_key: str | None = None,
    today: date | None = None,
) -> Invoice:
    """Email a reminder for the invoice now; the invoice. BillingRuleError: NOT_FOUND,
    NOT_OVERDUE, CLIENT_EMAIL_MISSING, MAILBOX_UNAVAILABLE, INVALID_INPUT (an address the server
    refuses, a malformed key), IDEMPOTENCY_CONFLICT."""
    request = idempotent_request(
        tenant_id, idempotency_key, SEND_REMINDER_OPERATION, {"invoice_id": invoice_id}
    )
    earlier = await claim_alone(request)
    if earlier is not None:
        return await Invoice.get(id=earlier["invoice_id"])
    try:
        reminder, invoice = await _claim_next_level(tenant_id, invoice_id, today)
        failure = await email_reminder_once(reminder, invoice, settings, user_id)
        if failure is not None:
            await InvoiceReminder.filter(id=reminder.id, sent_at__isnull=True).delete()
            raise _refusal_of(failure)
    except Exception:
        await release(request)
        raise
    await complete_alone(request, {"invoice_id": invoice.id, "reminder_id": reminder.id})
    return invoice


async def _claim_next_level(
    tenant_id: int, invoice_id: int, today: date | None
) -> tuple[InvoiceReminder, Invoice]:
    """Under the invoice's row lock: the remind and send rules, then the next level claimed
    and held for this send."""
    async with in_transaction() as conn:
        invoice = await lock_invoice(tenant_id=tenant_id, invoice_id=invoice_id, conn=conn)
        if invoice is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice.", field=INVOICE_FIELD)
        await invoice.fetch_related("tenant", "client", using_db=conn)
        tenant: Tenant = invoice.tenant
        refusal = lifecycle.remind_refusal(
            invoice.status,
            balance_cents=invoice.balance_cents,
            due_on=invoice.due_on,
            today=today or today_in(tenant.timezone),
        )
        if refusal is None:
            refusal = send_refusal_for(invoice, invoice.client, tenant)
        if refusal is not None:
            raise BillingRuleError(refusal.code, refusal.message, field=INVOICE_FIELD)
        levels = (
            await InvoiceReminder.filter(invoice_id=invoice.id)
            .using_db(conn)
            .values_list("level", flat=True)
        )
        now = datetime.now(UTC)
        reminder = await InvoiceReminder.create(
            tenant_id=tenant_id,
            invoice_id=invoice.id,
            level=max(levels, default=0) + 1,
            trigger=ReminderTrigger.MANUAL,
            sending_until=now + SENDING_HOLD,
            using_db=conn,
        )
    return reminder, invoice


def _refusal_of(failure: DeliveryFailure) -> BillingRuleError:
    if failure.recipient_refused or failure.unbuildable:
        return BillingRuleError(
            ErrorCode.INVALID_INPUT, f"The reminder could not be sent: {failure.message}"
        )
    return BillingRuleError(
        ErrorCode.MAILBOX_UNAVAILABLE, f"The reminder could not be sent: {failure.message}"
    )
