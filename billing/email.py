"""Emailing an invoice through the tenant's own mailbox (SMTP), with a record of every attempt.

Two entry points: `email_invoice_automatically` for the worker (after a run issues an invoice),
which skips what is not to be auto-emailed and raises `TransientEmailError` for the worker to
retry; and `send_invoice_now` for a person's Send action, which refuses with a `BillingRuleError`.
The mailbox password never appears in an error, a record or a log.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

import aiosmtplib
from tortoise.transactions import in_transaction

from billing.documents import (
    InvoiceDocument,
    load_invoice_document,
    render_invoice_html,
    render_invoice_text,
)
from billing.errors import BillingRuleError, ErrorCode
from billing.mailbox_password import MailboxPasswordUnreadable, open_mailbox_password
from billing.preview_links import make_preview_token, preview_url
from ispbox.config import Settings, get_settings
from orm.models import EmailAttempt, Invoice, Tenant
from orm.models.enums import EmailResult, EmailTrigger, InvoiceStatus

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 30.0
CHECK_TIMEOUT_SECONDS = 10.0
DRAFT_REASON = "A draft invoice cannot be sent: finalize or discard the run first."


class TransientEmailError(Exception):
    """The mailbox could not take the message now (unreachable, timeout, 4xx); retry later."""


@dataclass(frozen=True, slots=True)
class EmailOutcome:
    """What an email job did: sent, skipped (reason), or failed (reason, permanent or not)."""

    sent: bool
    reason: str | None = None
    attempt_id: int | None = None
    permanent: bool = False


@dataclass(frozen=True, slots=True)
class _DeliveryFailure:
    message: str
    permanent: bool
    # The server refused the client's address itself (as opposed to the mailbox failing).
    recipient_refused: bool = False


def mailbox_problem(tenant: Tenant) -> str | None:
    """What is missing from the tenant's mailbox settings, in words; None when complete."""
    missing = [
        label
        for label, value in (
            ("host", tenant.mailbox_host),
            ("port", tenant.mailbox_port),
            ("from address", tenant.mailbox_from_address),
        )
        if not value
    ]
    if missing:
        return f"The mailbox is not configured (missing {', '.join(missing)})."
    return None


async def check_mailbox(tenant: Tenant, settings: Settings | None = None) -> str | None:
    """Connect to the tenant's mailbox (STARTTLS and login where configured) and leave.

    None when the mailbox is reachable and accepts the login, else the reason in words.
    """
    problem = mailbox_problem(tenant)
    if problem:
        return problem
    try:
        login = _mailbox_login(tenant, settings or get_settings())
    except MailboxPasswordUnreadable as exc:
        return f"The mailbox is not usable: {exc}."
    try:
        async with aiosmtplib.SMTP(**_smtp_options(tenant, login), timeout=CHECK_TIMEOUT_SECONDS):
            pass
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        return f"The mailbox is not reachable: {_describe(exc, tenant, login)}"
    return None


async def email_invoice_automatically(
    *, tenant_id: int, invoice_id: int, settings: Settings | None = None
) -> EmailOutcome:
    """Email an issued invoice that is to be auto-emailed and has not been emailed yet.

    Skips drafts, void and zero-total invoices. A permanent failure (refused address, missing
    settings) is recorded and returned; a transient one is recorded, then TransientEmailError.
    """
    invoice = await _load_invoice(tenant_id, invoice_id)
    if invoice is None:
        return EmailOutcome(sent=False, reason="the invoice does not exist")
    skip = _why_not_auto_email(invoice)
    if skip is not None:
        return EmailOutcome(sent=False, reason=skip)
    unsendable = _why_unsendable(invoice)
    if unsendable is not None:
        attempt = await _record_failure(
            invoice, EmailTrigger.AUTO, _DeliveryFailure(unsendable, permanent=True)
        )
        return EmailOutcome(sent=False, reason=unsendable, attempt_id=attempt.id, permanent=True)
    outcome, failure = await _deliver(invoice, EmailTrigger.AUTO, settings or get_settings())
    if failure is not None and not failure.permanent:
        raise TransientEmailError(failure.message)
    return outcome


async def send_invoice_now(
    *, tenant_id: int, invoice_id: int, settings: Settings | None = None
) -> EmailOutcome:
    """Email an issued invoice at a person's request, whether or not it was emailed before.

    Raises BillingRuleError: NOT_FOUND, INVALID_INPUT (a draft, or an address the server
    refuses), CLIENT_EMAIL_MISSING, or MAILBOX_UNAVAILABLE (not configured or not reachable).
    """
    invoice = await _load_invoice(tenant_id, invoice_id)
    if invoice is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice.", field="id")
    if invoice.status == InvoiceStatus.DRAFT:
        raise BillingRuleError(ErrorCode.INVALID_INPUT, DRAFT_REASON, field="id")
    if not invoice.client.email:
        raise BillingRuleError(
            ErrorCode.CLIENT_EMAIL_MISSING,
            f"The client {invoice.client.name} has no email address.",
        )
    problem = mailbox_problem(invoice.tenant)
    if problem:
        raise BillingRuleError(ErrorCode.MAILBOX_UNAVAILABLE, problem)
    outcome, failure = await _deliver(invoice, EmailTrigger.MANUAL, settings or get_settings())
    if failure is None:
        return outcome
    if failure.recipient_refused:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT,
            f"The mail server refused the client's email address ({failure.message}).",
        )
    raise BillingRuleError(
        ErrorCode.MAILBOX_UNAVAILABLE, f"The invoice could not be sent: {failure.message}"
    )


async def _load_invoice(tenant_id: int, invoice_id: int) -> Invoice | None:
    return (
        await Invoice.filter(id=invoice_id, tenant_id=tenant_id)
        .select_related("tenant", "client")
        .first()
    )


def _why_not_auto_email(invoice: Invoice) -> str | None:
    if invoice.status == InvoiceStatus.DRAFT:
        return "the invoice is a draft"
    if invoice.status == InvoiceStatus.VOID:
        return "the invoice is void"
    if invoice.total_cents == 0:
        return "zero-total invoices are not emailed automatically"
    if not invoice.auto_email:
        return "the invoice is not set to be emailed automatically"
    if invoice.emailed_at is not None:
        return "the invoice was already emailed"
    return None


def _why_unsendable(invoice: Invoice) -> str | None:
    if not invoice.client.email:
        return "the client has no email address"
    return mailbox_problem(invoice.tenant)


async def _deliver(
    invoice: Invoice, trigger: EmailTrigger, settings: Settings
) -> tuple[EmailOutcome, _DeliveryFailure | None]:
    """Send the invoice to the client and record the attempt, whatever happens."""
    doc = await load_invoice_document(invoice.tenant_id, invoice.id)
    if doc is None:
        raise LookupError(f"invoice {invoice.id} was deleted while being emailed")
    tenant = invoice.tenant
    recipient = invoice.client.email or ""
    link = invoice_preview_url(doc, settings)
    message = build_invoice_message(doc, tenant, recipient, link)
    failure = await _send_message(tenant, message, settings)
    if failure is not None:
        attempt = await _record_failure(invoice, trigger, failure)
        outcome = EmailOutcome(
            sent=False, reason=failure.message, attempt_id=attempt.id, permanent=failure.permanent
        )
        return outcome, failure
    attempt = await _record_sent(invoice, trigger)
    return EmailOutcome(sent=True, attempt_id=attempt.id), None


def invoice_preview_url(doc: InvoiceDocument, settings: Settings) -> str:
    """A signed link to the invoice's preview page, valid for the configured time."""
    token = make_preview_token(
        tenant_id=doc.tenant_id,
        invoice_id=doc.invoice_id,
        secret=settings.signing_key,
        ttl_seconds=settings.preview_link_ttl_seconds,
    )
    return preview_url(settings.fallback_public_url, doc.invoice_id, token)


def build_invoice_message(
    doc: InvoiceDocument, tenant: Tenant, recipient: str, link: str
) -> EmailMessage:
    """The email: a text body with an HTML alternative, subject naming the number and total."""
    sender = tenant.mailbox_from_address or ""
    message = EmailMessage()
    message["Subject"] = (
        f"Invoice {doc.display_number} from {doc.tenant_name}: {doc.money(doc.total_cents)}"
    )
    message["From"] = formataddr((doc.tenant_name, sender))
    message["To"] = formataddr((doc.client_name, recipient))
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(render_invoice_text(doc, link))
    message.add_alternative(render_invoice_html(doc, preview_url=link), subtype="html")
    return message


@dataclass(frozen=True, slots=True, repr=False)
class _MailboxLogin:
    """The mailbox's user name and decrypted password; never printed."""

    username: str | None
    password: str | None


def _mailbox_login(tenant: Tenant, settings: Settings) -> _MailboxLogin:
    """The login, with the stored password decrypted; none where no username is configured."""
    username = tenant.mailbox_username or None
    if username is None:
        return _MailboxLogin(None, None)
    sealed = tenant.mailbox_password
    password = open_mailbox_password(sealed, settings.signing_key) if sealed else ""
    return _MailboxLogin(username, password)


def _smtp_options(tenant: Tenant, login: _MailboxLogin) -> dict[str, object]:
    """Connection settings for aiosmtplib."""
    return {
        "hostname": tenant.mailbox_host,
        "port": tenant.mailbox_port,
        "username": login.username,
        "password": login.password,
        "start_tls": bool(tenant.mailbox_starttls),
    }


async def _send_message(
    tenant: Tenant, message: EmailMessage, settings: Settings
) -> _DeliveryFailure | None:
    """Hand the message to the tenant's mailbox; None once the server accepted it."""
    try:
        login = _mailbox_login(tenant, settings)
    except MailboxPasswordUnreadable as exc:
        return _DeliveryFailure(f"the mailbox is not usable: {exc}", permanent=True)
    options = _smtp_options(tenant, login)
    try:
        await aiosmtplib.send(message, **options, timeout=SEND_TIMEOUT_SECONDS)
    except (TimeoutError, aiosmtplib.SMTPException, OSError, ValueError) as exc:
        return _classify_failure(exc, tenant, login)
    return None


def _classify_failure(exc: Exception, tenant: Tenant, login: _MailboxLogin) -> _DeliveryFailure:
    """Permanent: a 5xx answer, an address that cannot be used, or a feature the server lacks.
    Everything else (connection refused, timeouts, 4xx) may work later."""
    text = _describe(exc, tenant, login)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        permanent = all(refusal.code >= 500 for refusal in exc.recipients)
        return _DeliveryFailure(text, permanent=permanent, recipient_refused=permanent)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        permanent = exc.code >= 500
        refused = permanent and isinstance(exc, aiosmtplib.SMTPRecipientRefused)
        return _DeliveryFailure(text, permanent=permanent, recipient_refused=refused)
    if isinstance(exc, ValueError):
        return _DeliveryFailure(text, permanent=True, recipient_refused=True)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return _DeliveryFailure(text, permanent=True)
    return _DeliveryFailure(text, permanent=False)


def _describe(exc: BaseException, tenant: Tenant, login: _MailboxLogin) -> str:
    """The failure in words, with the mailbox password taken out wherever it might appear."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"the server refused {refusal.recipient}: {refusal.code} {refusal.message}"
            for refusal in exc.recipients
        )
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"the server answered {exc.code} {exc.message}"
    elif isinstance(exc, asyncio.TimeoutError | aiosmtplib.SMTPTimeoutError):
        text = f"no answer from {tenant.mailbox_host}:{tenant.mailbox_port} in time"
    else:
        text = str(exc) or type(exc).__name__
    if login.password:
        text = text.replace(login.password, "********")
    return text


async def _record_failure(
    invoice: Invoice, trigger: EmailTrigger, failure: _DeliveryFailure
) -> EmailAttempt:
    logger.warning(
        "invoice %s: email %s (%s)",
        invoice.id,
        "failed permanently" if failure.permanent else "failed, to be retried",
        failure.message,
    )
    return await EmailAttempt.create(
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.id,
        trigger=trigger,
        recipient=invoice.client.email,
        result=EmailResult.FAILED,
        permanent=failure.permanent,
        error=failure.message,
    )


async def _record_sent(invoice: Invoice, trigger: EmailTrigger) -> EmailAttempt:
    """The attempt and `emailed_at` together, written only after the server accepted."""
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        attempt = await EmailAttempt.create(
            tenant_id=invoice.tenant_id,
            invoice_id=invoice.id,
            trigger=trigger,
            recipient=invoice.client.email,
            result=EmailResult.SENT,
            using_db=conn,
        )
        await Invoice.filter(id=invoice.id).using_db(conn).update(emailed_at=now)
    invoice.emailed_at = now
    return attempt
