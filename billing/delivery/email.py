"""Emailing an invoice through the tenant's own mailbox (SMTP), with a record of every attempt.

Two entry points: `email_invoice_automatically` for the worker (after a run issues an invoice),
which skips what is not to be auto-emailed and raises `TransientEmailError` for the worker to
retry; and `send_invoice_now` for a person's Send action, which refuses with a `BillingRuleError`.
When an invoice may be sent at all, and when the job emails it, is the invoice's lifecycle's
(`billing.invoices.lifecycle`); the Send action's state asks it too. A person's send records its
audit action with the sent attempt.
A person's send takes an idempotency key, and a second one within a minute is refused unless
forced, so a double click or a retried request never emails the customer twice.
An email that cannot be built (a line break in a name, an unusable address) is a permanent
failure, recorded like a refused address. The mailbox password never appears in an error, a
record or a log.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.delivery.attempts import EmailResult, EmailTrigger
from billing.delivery.mailbox_password import MailboxPasswordUnreadable, open_mailbox_password
from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import claim_alone, complete_alone, idempotent_request, release
from billing.invoices import lifecycle
from billing.invoices.customer_document import CustomerDocument, load_customer_document
from billing.invoices.document_files import document_pdf, pdf_filename
from billing.invoices.links import make_preview_token, preview_url
from billing.invoices.preview import render_invoice_html, render_invoice_text
from billing.money import format_money
from orm.models import Client, EmailAttempt, Invoice, Tenant

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 30.0
CHECK_TIMEOUT_SECONDS = 10.0
# A person's send within this time of the last email is refused unless forced.
MANUAL_SEND_INTERVAL = timedelta(minutes=1)
RECENTLY_SENT_REASON = (
    "The invoice was emailed (or is being emailed) less than a minute ago: "
    "send it with force to email it again."
)
SEND_OPERATION = "send_invoice"


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """What emailing needs from the installation: the key that opens mailbox passwords and
    signs preview links, where those links point, and how long they stay valid."""

    secret_key: str = field(repr=False)
    public_url: str
    preview_link_ttl_seconds: int


class TransientEmailError(Exception):
    """The mailbox could not take the message now (unreachable, timeout, 4xx); retry later."""


@dataclass(frozen=True, slots=True)
class EmailOutcome:
    """What an email job did: sent, skipped (reason), or failed (reason, permanent or not)."""

    sent: bool
    reason: str | None = None
    attempt_id: int | None = None
    permanent: bool = False
    # True where a repeated request (same idempotency key) returned the first one's outcome.
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class _ManualSend:
    """Who asked for a send and whether they forced it: the audit record of the send."""

    user_id: int | None
    forced: bool


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    message: str
    permanent: bool
    # The server refused the client's address itself (as opposed to the mailbox failing).
    recipient_refused: bool = False
    # The message could not be built from the invoice's, client's or tenant's details.
    unbuildable: bool = False


def send_refusal_for(
    invoice: Invoice, client: Client | None, tenant: Tenant
) -> BillingRuleError | None:
    """The lifecycle's send rule asked of a stored invoice, its client and its tenant."""
    return lifecycle.send_refusal(
        invoice.status,
        client_name=client.name if client is not None else None,
        client_email=client.email if client is not None else None,
        mailbox_problem=mailbox_problem(tenant),
    )


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


async def check_mailbox(tenant: Tenant, settings: EmailSettings) -> str | None:
    """Connect to the tenant's mailbox (STARTTLS and login where configured) and leave.

    None when the mailbox is reachable and accepts the login, else the reason in words.
    """
    problem = mailbox_problem(tenant)
    if problem:
        return problem
    try:
        login = _mailbox_login(tenant, settings)
    except MailboxPasswordUnreadable as exc:
        return f"The mailbox is not usable: {exc}."
    try:
        async with aiosmtplib.SMTP(**_smtp_options(tenant, login), timeout=CHECK_TIMEOUT_SECONDS):
            pass
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        return f"The mailbox is not reachable: {_describe(exc, tenant, login)}"
    return None


async def email_invoice_automatically(
    *, tenant_id: int, invoice_id: int, settings: EmailSettings
) -> EmailOutcome:
    """Email an issued invoice that is to be auto-emailed and has not been emailed yet.

    Skips drafts, void and zero-total invoices. A permanent failure (refused address, missing
    settings) is recorded and returned; a transient one is recorded, then TransientEmailError.
    """
    invoice = await _load_invoice(tenant_id, invoice_id)
    if invoice is None:
        return EmailOutcome(sent=False, reason="the invoice does not exist")
    skip = lifecycle.auto_email_refusal(
        invoice.status,
        total_cents=invoice.total_cents,
        auto_email=invoice.auto_email,
        emailed_at=invoice.emailed_at,
    )
    if skip is not None:
        return EmailOutcome(sent=False, reason=skip.message)
    refusal = send_refusal_for(invoice, invoice.client, invoice.tenant)
    if refusal is not None:
        attempt = await _record_failure(
            invoice, EmailTrigger.AUTO, DeliveryFailure(refusal.message, permanent=True)
        )
        return EmailOutcome(
            sent=False, reason=refusal.message, attempt_id=attempt.id, permanent=True
        )
    outcome, failure = await _deliver(invoice, EmailTrigger.AUTO, settings)
    if failure is not None and not failure.permanent:
        raise TransientEmailError(failure.message)
    return outcome


async def send_invoice_now(
    *,
    tenant_id: int,
    invoice_id: int,
    settings: EmailSettings,
    force: bool = False,
    idempotency_key: str | None = None,
    user_id: int | None = None,
) -> EmailOutcome:
    """Email an issued invoice at a person's request (`user_id`), whether or not it was emailed
    before; the send's audit record is written with the sent attempt.

    A repeat with the same idempotency key returns the first send's outcome (`replayed`) and
    sends nothing. Raises BillingRuleError: NOT_FOUND; INVALID_INPUT (a draft or void invoice,
    an address the server refuses, an email that cannot be built, a malformed key);
    CLIENT_EMAIL_MISSING; MAILBOX_UNAVAILABLE (not configured or not reachable); RECENTLY_SENT
    (emailed less than a minute ago, not forced); IDEMPOTENCY_CONFLICT.
    """
    request = idempotent_request(
        tenant_id, idempotency_key, SEND_OPERATION, {"invoice_id": invoice_id, "force": force}
    )
    earlier = await claim_alone(request)
    if earlier is not None:
        return EmailOutcome(sent=True, attempt_id=earlier["attempt_id"], replayed=True)
    try:
        outcome = await _send_now(tenant_id, invoice_id, settings, _ManualSend(user_id, force))
    except Exception:
        await release(request)
        raise
    await complete_alone(request, {"invoice_id": invoice_id, "attempt_id": outcome.attempt_id})
    return outcome


async def _send_now(
    tenant_id: int, invoice_id: int, settings: EmailSettings, manual: _ManualSend
) -> EmailOutcome:
    invoice = await _load_invoice(tenant_id, invoice_id)
    if invoice is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice.", field="id")
    if refusal := send_refusal_for(invoice, invoice.client, invoice.tenant):
        raise refusal
    claimed_at = await _claim_manual_send(invoice, manual.forced)
    outcome, failure = await _deliver(invoice, EmailTrigger.MANUAL, settings, manual)
    if failure is None:
        return outcome
    await _give_back_manual_send(invoice, claimed_at)
    raise _manual_send_failure(failure)


async def _claim_manual_send(invoice: Invoice, force: bool) -> datetime:
    """Mark the send begun, in one conditional update, so that of concurrent sends only one
    goes ahead; refused (RECENTLY_SENT) within MANUAL_SEND_INTERVAL of the last, unless forced."""
    now = datetime.now(UTC)
    cutoff = now - MANUAL_SEND_INTERVAL
    claims = Invoice.filter(id=invoice.id)
    if not force:
        claims = claims.filter(
            Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lte=cutoff),
            Q(emailed_at__isnull=True) | Q(emailed_at__lte=cutoff),
        )
    if not await claims.update(email_claimed_at=now):
        raise BillingRuleError(ErrorCode.RECENTLY_SENT, RECENTLY_SENT_REASON, field="force")
    return now


async def _give_back_manual_send(invoice: Invoice, claimed_at: datetime) -> None:
    """After a failed send: the next one need not wait (unless another send claimed since)."""
    await Invoice.filter(id=invoice.id, email_claimed_at=claimed_at).update(
        email_claimed_at=invoice.email_claimed_at
    )


def _manual_send_failure(failure: DeliveryFailure) -> BillingRuleError:
    if failure.unbuildable:
        return BillingRuleError(ErrorCode.INVALID_INPUT, failure.message)
    if failure.recipient_refused:
        return BillingRuleError(
            ErrorCode.INVALID_INPUT,
            f"The mail server refused the client's email address ({failure.message}).",
        )
    return BillingRuleError(
        ErrorCode.MAILBOX_UNAVAILABLE, f"The invoice could not be sent: {failure.message}"
    )


async def _load_invoice(tenant_id: int, invoice_id: int) -> Invoice | None:
    return (
        await Invoice.filter(id=invoice_id, tenant_id=tenant_id)
        .select_related("tenant", "client")
        .first()
    )


async def _deliver(
    invoice: Invoice,
    trigger: EmailTrigger,
    settings: EmailSettings,
    manual: _ManualSend | None = None,
) -> tuple[EmailOutcome, DeliveryFailure | None]:
    """Send the invoice to the client and record the attempt, whatever happens (and a person's
    send in the audit trail once sent)."""
    doc = await load_customer_document(invoice.tenant_id, invoice.id)
    if doc is None:
        raise LookupError(f"invoice {invoice.id} was deleted while being emailed")
    tenant = invoice.tenant
    recipient = invoice.client.email or ""
    link = invoice_preview_url(doc, settings)
    try:
        rendered = await render_invoice(doc, link)
        message = build_invoice_message(doc, tenant, recipient, link, rendered)
    except (ValueError, MessageError) as exc:
        failure: DeliveryFailure | None = _unbuildable(exc, tenant)
    else:
        failure = await send_through_mailbox(tenant, message, settings)
    if failure is not None:
        attempt = await _record_failure(invoice, trigger, failure)
        outcome = EmailOutcome(
            sent=False, reason=failure.message, attempt_id=attempt.id, permanent=failure.permanent
        )
        return outcome, failure
    attempt = await _record_sent(invoice, trigger, manual)
    return EmailOutcome(sent=True, attempt_id=attempt.id), None


def invoice_preview_url(doc: CustomerDocument, settings: EmailSettings) -> str:
    """A signed link to the invoice's preview page, valid for the configured time."""
    token = make_preview_token(
        tenant_id=doc.tenant_id,
        invoice_id=doc.invoice_id,
        secret=settings.secret_key,
        ttl_seconds=settings.preview_link_ttl_seconds,
    )
    return preview_url(settings.public_url, doc.invoice_id, token)


@dataclass(frozen=True, slots=True, repr=False)
class RenderedInvoice:
    """The invoice's HTML page and its PDF/A-3 file, as the email carries them."""

    html: str
    pdf: bytes


async def render_invoice(doc: CustomerDocument, link: str) -> RenderedInvoice:
    """Render the email's HTML part and its PDF (kept by content, so a resend renders nothing).

    Raises ValueError where the document cannot be printed (a character no shipped font draws).
    """
    page = await render_invoice_html(doc, preview_url=link)
    return RenderedInvoice(html=page, pdf=await document_pdf(doc.document))


def build_invoice_message(
    doc: CustomerDocument, tenant: Tenant, recipient: str, link: str, rendered: RenderedInvoice
) -> EmailMessage:
    """The email: a text body with an HTML alternative and the PDF attached, subject naming the
    number and total.

    Raises ValueError or email.errors.MessageError where a header cannot be made: a line break
    in a name or number, an address that is not exactly one valid address.
    """
    sender = tenant.mailbox_from_address or ""
    total = format_money(doc.document.total, doc.document.currency)
    message = EmailMessage()
    message["Subject"] = f"Invoice {doc.number} from {tenant.name}: {total}"
    message["From"] = Address(tenant.name, addr_spec=sender)
    message["To"] = Address(doc.buyer_name, addr_spec=recipient)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(render_invoice_text(doc, link))
    message.add_alternative(rendered.html, subtype="html")
    message.add_attachment(
        rendered.pdf, maintype="application", subtype="pdf", filename=pdf_filename(doc.document)
    )
    return message


@dataclass(frozen=True, slots=True, repr=False)
class _MailboxLogin:
    """The mailbox's user name and decrypted password; never printed."""

    username: str | None
    password: str | None


def _mailbox_login(tenant: Tenant, settings: EmailSettings) -> _MailboxLogin:
    """The login, with the stored password decrypted; none where no username is configured."""
    username = tenant.mailbox_username or None
    if username is None:
        return _MailboxLogin(None, None)
    sealed = tenant.mailbox_password
    password = open_mailbox_password(sealed, settings.secret_key) if sealed else ""
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


async def send_through_mailbox(
    tenant: Tenant, message: EmailMessage, settings: EmailSettings
) -> DeliveryFailure | None:
    """Hand the message to the tenant's mailbox; None once the server accepted it."""
    try:
        login = _mailbox_login(tenant, settings)
    except MailboxPasswordUnreadable as exc:
        return DeliveryFailure(f"the mailbox is not usable: {exc}", permanent=True)
    options = _smtp_options(tenant, login)
    try:
        await aiosmtplib.send(message, **options, timeout=SEND_TIMEOUT_SECONDS)
    except (TimeoutError, aiosmtplib.SMTPException, OSError, ValueError) as exc:
        return _classify_failure(exc, tenant, login)
    return None


def _classify_failure(exc: Exception, tenant: Tenant, login: _MailboxLogin) -> DeliveryFailure:
    """Permanent: a 5xx answer, an address that cannot be used, or a feature the server lacks.
    Everything else (connection refused, timeouts, 4xx) may work later."""
    text = _describe(exc, tenant, login)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        permanent = all(refusal.code >= 500 for refusal in exc.recipients)
        return DeliveryFailure(text, permanent=permanent, recipient_refused=permanent)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        permanent = exc.code >= 500
        refused = permanent and isinstance(exc, aiosmtplib.SMTPRecipientRefused)
        return DeliveryFailure(text, permanent=permanent, recipient_refused=refused)
    if isinstance(exc, ValueError):
        return DeliveryFailure(text, permanent=True, recipient_refused=True)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return DeliveryFailure(text, permanent=True)
    return DeliveryFailure(text, permanent=False)


def _unbuildable(exc: Exception, tenant: Tenant) -> DeliveryFailure:
    """A message that cannot be built will not build on a retry either: permanent."""
    return DeliveryFailure(
        "The email could not be built from the invoice, client and mailbox details "
        f"({_describe(exc, tenant, _MailboxLogin(None, None))}): correct the client's name or "
        "email address.",
        permanent=True,
        unbuildable=True,
    )


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
    invoice: Invoice, trigger: EmailTrigger, failure: DeliveryFailure
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


async def _record_sent(
    invoice: Invoice, trigger: EmailTrigger, manual: _ManualSend | None
) -> EmailAttempt:
    """The attempt, `emailed_at` and a person's send in the audit trail together, written only
    after the server accepted."""
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
        if manual is not None:
            await record_action(
                tenant_id=invoice.tenant_id,
                user_id=manual.user_id,
                action=AuditAction.SEND,
                invoice_id=invoice.id,
                detail={"number": invoice.number, "forced": manual.forced},
                using_db=conn,
            )
    invoice.emailed_at = now
    return attempt
