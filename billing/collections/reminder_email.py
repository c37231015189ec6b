"""Emailing payment reminders through the tenant's mailbox, each claimed level once.

A reminder is claimed (a row per invoice and level) in the transaction that decided it: the daily
pass's chunk, or a person's `sendReminder`. Sending takes the claim for a while
(`sending_until`, so two senders never send the same one), emails the invoice's balance with its
PDF attached, and sets `sent_at` with the audit record once the mailbox accepted. A claim whose
send was cut short (a worker killed, a mailbox down) is sent by the next attempt; one the mailbox
refuses for good keeps the reason and is not tried again. A claim that a higher level overtook,
or whose invoice was settled meanwhile, is dropped unsent: an invoice's reminders are the emails
it really got, and after missed days only the latest level goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.collections.decisions import latest_level_come_due
from billing.collections.passes import ReminderTrigger
from billing.collections.snapshots import tenant_policy
from billing.dates import today_in
from billing.delivery.email import (
    DeliveryFailure,
    EmailSettings,
    invoice_preview_url,
    send_refusal_for,
    send_through_mailbox,
)
from billing.invoices import lifecycle
from billing.invoices.customer_document import CustomerDocument, load_customer_document
from billing.invoices.document_files import document_pdf, pdf_filename
from billing.money import format_money
from orm.models import Invoice, InvoiceReminder, Tenant

# How long a sender holds a reminder: longer than a send can take (its timeout is 30 s).
SENDING_HOLD = timedelta(minutes=5)


class TransientReminderError(Exception):
    """The mailbox could not take the reminder now; the claim stays, to be sent later."""


@dataclass(frozen=True, slots=True)
class ReminderOutcome:
    """What sending a claimed reminder did: sent, or why not (`permanent`: not tried again)."""

    sent: bool
    reason: str | None = None
    permanent: bool = False


async def unsent_reminder_ids(
    tenant_id: int, first_client_id: int | None = None, last_client_id: int | None = None
) -> list[int]:
    """The tenant's claimed reminders not sent and not refused for good (of a client range)."""
    reminders = InvoiceReminder.filter(
        tenant_id=tenant_id, sent_at__isnull=True, failure__isnull=True
    )
    if first_client_id is not None and last_client_id is not None:
        reminders = reminders.filter(
            invoice__client_id__gte=first_client_id, invoice__client_id__lte=last_client_id
        )
    return sorted(await reminders.values_list("id", flat=True))


async def send_claimed_reminder(
    reminder_id: int,
    settings: EmailSettings,
    *,
    user_id: int | None = None,
    today: date | None = None,
) -> ReminderOutcome:
    """Email a claimed reminder unless it is sent, held by another sender, overtaken or no
    longer due (as of `today`; None: the tenant's today). Raises TransientReminderError where
    the mailbox may take it later."""
    if not await _hold(reminder_id):
        return ReminderOutcome(sent=False, reason="sent, or being sent, already")
    reminder = await InvoiceReminder.get(id=reminder_id)
    invoice = await Invoice.filter(id=reminder.invoice_id).select_related("tenant", "client").get()
    if reason := await _no_longer_due(reminder, invoice, today):
        await InvoiceReminder.filter(id=reminder_id, sent_at__isnull=True).delete()
        return ReminderOutcome(sent=False, reason=reason)
    if refusal := send_refusal_for(invoice, invoice.client, invoice.tenant):
        await _record_refusal(reminder_id, refusal.message)
        return ReminderOutcome(sent=False, reason=refusal.message, permanent=True)
    failure = await _email(invoice, reminder.level, settings)
    if failure is None:
        await _record_sent(reminder, invoice, user_id)
        return ReminderOutcome(sent=True)
    if failure.permanent:
        await _record_refusal(reminder_id, failure.message)
        return ReminderOutcome(sent=False, reason=failure.message, permanent=True)
    await InvoiceReminder.filter(id=reminder_id).update(sending_until=None)
    raise TransientReminderError(failure.message)


async def email_reminder_once(
    reminder: InvoiceReminder, invoice: Invoice, settings: EmailSettings, user_id: int | None
) -> DeliveryFailure | None:
    """A person's reminder, claimed and held by the caller: emailed and recorded sent, or the
    failure (the caller gives the claim back)."""
    failure = await _email(invoice, reminder.level, settings)
    if failure is None:
        await _record_sent(reminder, invoice, user_id)
    return failure


async def _hold(reminder_id: int) -> bool:
    """Take the reminder for this sender, in one conditional update."""
    now = datetime.now(UTC)
    return bool(
        await InvoiceReminder.filter(id=reminder_id, sent_at__isnull=True, failure__isnull=True)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now))
        .update(sending_until=now + SENDING_HOLD)
    )


async def _no_longer_due(
    reminder: InvoiceReminder, invoice: Invoice, today: date | None
) -> str | None:
    """Why a claimed reminder is dropped unsent: overtaken by a higher level, or its invoice
    settled since."""
    overtaken = f"reminder level {reminder.level} was overtaken by a higher level"
    if await InvoiceReminder.filter(invoice_id=invoice.id, level__gt=reminder.level).exists():
        return overtaken
    day = today or today_in(invoice.tenant.timezone)
    refusal = lifecycle.remind_refusal(
        invoice.status, balance_cents=invoice.balance_cents, due_on=invoice.due_on, today=day
    )
    if refusal is not None:
        return refusal.message
    if reminder.trigger == ReminderTrigger.AUTO:
        # A claim left unsent past the day of a higher level: the day's pass sends that one.
        latest = latest_level_come_due(invoice.due_on, tenant_policy(invoice.tenant), day)
        if latest is not None and latest > reminder.level:
            return overtaken
    return None


async def _email(invoice: Invoice, level: int, settings: EmailSettings) -> DeliveryFailure | None:
    doc = await load_customer_document(invoice.tenant_id, invoice.id)
    if doc is None:
        return DeliveryFailure("the invoice was deleted", permanent=True)
    link = invoice_preview_url(doc, settings)
    try:
        message = build_reminder_message(
            doc, invoice, invoice.tenant, level, link, await document_pdf(doc.document)
        )
    except (ValueError, MessageError) as exc:
        return DeliveryFailure(f"the reminder could not be built: {exc}", permanent=True)
    return await send_through_mailbox(invoice.tenant, message, settings)


def build_reminder_message(
    doc: CustomerDocument, invoice: Invoice, tenant: Tenant, level: int, link: str, pdf: bytes
) -> EmailMessage:
    """The reminder: what is still owed and since when, a link to the invoice, its PDF attached.

    Raises ValueError or email.errors.MessageError where a header cannot be made."""
    sender = tenant.mailbox_from_address or ""
    balance = format_money(invoice.balance_cents, invoice.currency)
    message = EmailMessage()
    message["Subject"] = f"Payment reminder: invoice {doc.number} from {tenant.name}, {balance} due"
    message["From"] = Address(tenant.name, addr_spec=sender)
    message["To"] = Address(doc.buyer_name, addr_spec=invoice.client.email or "")
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["X-Reminder-Level"] = str(level)
    message.set_content(
        f"Dear {doc.buyer_name},\n\n"
        f"our records show that invoice {doc.number}, due on {invoice.due_on.isoformat()}, "
        f"is not paid yet: {balance} is still owed.\n"
        "Please pay it at your earliest convenience; if you have paid it in the meantime, "
        "thank you, and please disregard this reminder.\n\n"
        f"The invoice: {link}\n"
        "It is also attached to this email.\n\n"
        f"{doc.seller_name}\n"
    )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=pdf_filename(doc.document)
    )
    return message


async def _record_sent(reminder: InvoiceReminder, invoice: Invoice, user_id: int | None) -> None:
    async with in_transaction() as conn:
        await (
            InvoiceReminder.filter(id=reminder.id)
            .using_db(conn)
            .update(sent_at=datetime.now(UTC), sending_until=None)
        )
        await record_action(
            tenant_id=invoice.tenant_id,
            user_id=user_id,
            action=AuditAction.REMIND,
            invoice_id=invoice.id,
            detail={
                "number": invoice.number,
                "level": reminder.level,
                "trigger": str(reminder.trigger),
                "balance_cents": invoice.balance_cents,
            },
            using_db=conn,
        )


async def _record_refusal(reminder_id: int, reason: str) -> None:
    await InvoiceReminder.filter(id=reminder_id).update(failure=reason, sending_until=None)
