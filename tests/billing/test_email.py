"""Emailing invoices through the tenant's mailbox, against real SMTP servers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from email.message import EmailMessage

import pytest

from billing.audit.actions import AuditAction
from billing.delivery.attempts import EmailResult, EmailTrigger
from billing.delivery.email import (
    TransientEmailError,
    check_mailbox,
    email_invoice_automatically,
    send_invoice_now,
    send_refusal_for,
)
from billing.delivery.mailbox_password import seal_mailbox_password
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.customer_document import load_customer_document
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.invoices.links import verify_preview_token
from billing.invoices.preview import render_invoice_html, render_invoice_text
from ispbox.config import Settings
from orm.models import (
    AuditEvent,
    Client,
    EmailAttempt,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    Tenant,
)
from tests.support.builders import make_user
from tests.support.keys import TEST_SECRET_KEY
from tests.support.services import free_port
from tests.support.smtp import MaildirSmtpServer, PickySmtpServer

pytestmark = [
    pytest.mark.asyncio,
    # The login test server takes passwords over plain SMTP: it only ever listens on loopback.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

SETTINGS = Settings(secret_key=TEST_SECRET_KEY, public_url="https://billing.example.test")
EMAIL = SETTINGS.email_settings()
CLIENT_EMAIL = "ada@example.test"


async def make_tenant(host: str | None = "127.0.0.1", port: int | None = None, **extra) -> Tenant:
    return await Tenant.create(
        key="fibrenet",
        name="FibreNet & Co",
        currency="USD",
        mailbox_host=host,
        mailbox_port=port,
        mailbox_from_address="billing@fibrenet.test" if host else None,
        **extra,
    )


async def make_invoice(
    tenant: Tenant,
    *,
    email: str | None = CLIENT_EMAIL,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
    total_cents: int = 123_450,
    number: str | None = "INV-0042",
    client_name: str = "Ada Lovelace",
) -> Invoice:
    """An issued invoice of two lines, set to be emailed automatically."""
    client = await Client.create(tenant=tenant, key="c1", name=client_name, email=email)
    invoice = await Invoice.create(
        tenant=tenant,
        client=client,
        number=number if status != InvoiceStatus.DRAFT else None,
        status=status,
        issued_on=date(2026, 11, 1),
        due_on=date(2026, 11, 15),
        grace_until=date(2026, 11, 22),
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        currency="USD",
        total_cents=total_cents,
        balance_cents=total_cents,
        auto_email=True,
    )
    first = total_cents - total_cents // 3
    for position, (description, amount) in enumerate(
        [
            ("Fibre 1 Gbit/s (2026-11-01 – 2026-11-30)", first),
            ("Router rental", total_cents - first),
        ]
    ):
        await InvoiceLine.create(
            tenant=tenant,
            invoice=invoice,
            position=position,
            kind=InvoiceLineKind.SERVICE,
            description=description,
            quantity=Decimal(1),
            unit_price_cents=amount,
            amount_cents=amount,
        )
    return invoice


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def preview_link_in(text: str) -> str:
    return next(word for word in text.split() if word.startswith(SETTINGS.public_url))


async def attempts_of(invoice: Invoice) -> list[EmailAttempt]:
    return await EmailAttempt.filter(invoice_id=invoice.id).order_by("id")


async def test_auto_email_sends_number_total_lines_and_preview_link(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert outcome.sent
    [message] = smtp_server.messages()
    assert message["To"].addresses[0].addr_spec == CLIENT_EMAIL
    assert message["From"].addresses[0].addr_spec == "billing@fibrenet.test"
    assert "INV-0042" in message["Subject"] and "1,234.50 USD" in message["Subject"]
    text, html = text_and_html(message)
    for body in (text, html):
        assert "INV-0042" in body
        assert "Ada Lovelace" in body
        assert "1,234.50 USD" in body
        assert "Router rental" in body
        assert "Due date: Nov 15, 2026" in body
        # The grace date is internal: the customer's document never shows it.
        assert "Nov 22, 2026" not in body and "Grace" not in body
    assert "FibreNet &amp; Co" in html
    link = preview_link_in(text)
    assert link.startswith(f"{SETTINGS.public_url}/invoices/{invoice.id}/preview?token=")
    assert f'href="{link}"' in html
    token = link.split("token=", 1)[1]
    assert verify_preview_token(
        token, secret=SETTINGS.signing_key, max_ttl_seconds=SETTINGS.preview_link_ttl_seconds
    ) == (tenant.id, invoice.id)


async def test_sent_email_sets_emailed_at_and_records_the_attempt(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    await invoice.refresh_from_db()
    assert invoice.emailed_at is not None
    [attempt] = await attempts_of(invoice)
    assert attempt.id == outcome.attempt_id
    assert attempt.result == EmailResult.SENT
    assert attempt.trigger == EmailTrigger.AUTO
    assert attempt.recipient == CLIENT_EMAIL
    assert attempt.error is None and not attempt.permanent


async def test_email_shows_payments_and_remaining_balance(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, status=InvoiceStatus.PARTIAL)
    payment = await Payment.create(
        tenant=tenant,
        client_id=invoice.client_id,
        amount_cents=23_450,
        currency="USD",
        paid_on=date(2026, 11, 5),
        method="bank_transfer",
    )
    await PaymentAllocation.create(
        tenant=tenant, payment=payment, invoice=invoice, amount_cents=23_450
    )
    await Invoice.filter(id=invoice.id).update(balance_cents=100_000)

    await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    text, html = text_and_html(smtp_server.messages()[0])
    for body in (text, html):
        assert "Paid" in body and "234.50 USD" in body
        assert "Balance due" in body and "1,000.00 USD" in body


async def test_server_down_records_attempt_and_raises_transient_error(db: str) -> None:
    tenant = await make_tenant(port=free_port())
    invoice = await make_invoice(tenant)

    with pytest.raises(TransientEmailError):
        await email_invoice_automatically(
            tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
        )

    await invoice.refresh_from_db()
    assert invoice.emailed_at is None
    [attempt] = await attempts_of(invoice)
    assert attempt.result == EmailResult.FAILED
    assert not attempt.permanent
    assert attempt.error


async def test_retry_after_server_down_sends_and_keeps_both_attempts(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=free_port())
    invoice = await make_invoice(tenant)
    with pytest.raises(TransientEmailError):
        await email_invoice_automatically(
            tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
        )
    await Tenant.filter(id=tenant.id).update(mailbox_port=smtp_server.port)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert outcome.sent
    assert [a.result for a in await attempts_of(invoice)] == [EmailResult.FAILED, EmailResult.SENT]
    assert len(smtp_server.messages()) == 1


async def test_refused_recipient_is_recorded_as_permanent_and_not_raised(
    db: str, picky_smtp_server: PickySmtpServer
) -> None:
    picky_smtp_server.refuse(CLIENT_EMAIL, "550 5.1.1 <ada@example.test>: no such mailbox")
    tenant = await make_picky_tenant(picky_smtp_server)
    invoice = await make_invoice(tenant)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert not outcome.sent and outcome.permanent
    await invoice.refresh_from_db()
    assert invoice.emailed_at is None
    [attempt] = await attempts_of(invoice)
    assert attempt.result == EmailResult.FAILED
    assert attempt.permanent
    assert "550" in attempt.error
    assert picky_smtp_server.messages == []


async def test_recipient_deferred_with_4xx_is_transient(
    db: str, picky_smtp_server: PickySmtpServer
) -> None:
    picky_smtp_server.refuse(CLIENT_EMAIL, "450 4.2.1 mailbox busy, try again later")
    tenant = await make_picky_tenant(picky_smtp_server)
    invoice = await make_invoice(tenant)

    with pytest.raises(TransientEmailError):
        await email_invoice_automatically(
            tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
        )

    [attempt] = await attempts_of(invoice)
    assert attempt.result == EmailResult.FAILED and not attempt.permanent


async def make_picky_tenant(server: PickySmtpServer, password: str | None = None) -> Tenant:
    return await make_tenant(
        host=server.host,
        port=server.port,
        mailbox_username=server.username,
        mailbox_password=seal_mailbox_password(password or server.password, TEST_SECRET_KEY),
    )


async def test_mailbox_login_is_used_where_configured(
    db: str, picky_smtp_server: PickySmtpServer
) -> None:
    tenant = await make_picky_tenant(picky_smtp_server)
    invoice = await make_invoice(tenant)

    outcome = await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert outcome.sent
    assert len(picky_smtp_server.messages) == 1


async def test_wrong_mailbox_password_is_never_shown(
    db: str, picky_smtp_server: PickySmtpServer
) -> None:
    password = "hunter2-wrong-password"
    tenant = await make_picky_tenant(picky_smtp_server, password=password)
    invoice = await make_invoice(tenant)

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)
    reason = await check_mailbox(tenant, EMAIL)

    assert refused.value.code == ErrorCode.MAILBOX_UNAVAILABLE
    assert reason is not None and "535" in reason
    [attempt] = await attempts_of(invoice)
    for text in (refused.value.message, reason, attempt.error):
        assert password not in text


@pytest.mark.parametrize(
    ("status", "emailed_at", "total_cents"),
    [
        (InvoiceStatus.DRAFT, None, 10_000),
        (InvoiceStatus.VOID, None, 10_000),
        (InvoiceStatus.UNPAID, datetime(2026, 11, 2, tzinfo=UTC), 10_000),
        (InvoiceStatus.PAID, None, 0),
    ],
    ids=["draft", "void", "already-emailed", "zero-total"],
)
async def test_auto_email_skips_invoices_not_to_be_emailed(
    db: str,
    smtp_server: MaildirSmtpServer,
    status: InvoiceStatus,
    emailed_at: datetime | None,
    total_cents: int,
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, status=status, total_cents=total_cents)
    await Invoice.filter(id=invoice.id).update(emailed_at=emailed_at)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert not outcome.sent and outcome.reason
    assert smtp_server.messages() == []
    assert await attempts_of(invoice) == []


async def test_auto_email_skips_invoices_not_set_to_be_emailed(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant)
    await Invoice.filter(id=invoice.id).update(auto_email=False)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert not outcome.sent
    assert smtp_server.messages() == []


async def test_auto_email_without_client_email_is_recorded_as_permanent(db: str) -> None:
    tenant = await make_tenant(port=free_port())
    invoice = await make_invoice(tenant, email=None)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert not outcome.sent and outcome.permanent
    [attempt] = await attempts_of(invoice)
    assert attempt.permanent and attempt.recipient is None


async def test_manual_send_emails_again_an_invoice_already_emailed(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant)
    earlier = datetime(2026, 11, 2, tzinfo=UTC)
    await Invoice.filter(id=invoice.id).update(emailed_at=earlier)

    outcome = await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert outcome.sent
    assert len(smtp_server.messages()) == 1
    await invoice.refresh_from_db()
    assert invoice.emailed_at > earlier
    [attempt] = await attempts_of(invoice)
    assert attempt.trigger == EmailTrigger.MANUAL


async def test_manual_send_records_who_sent_it_with_the_sent_attempt(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant)
    editor = await make_user(tenant)

    outcome = await send_invoice_now(
        tenant_id=tenant.id,
        invoice_id=invoice.id,
        settings=EMAIL,
        force=True,
        user_id=editor.user.id,
    )

    [event] = await AuditEvent.filter(invoice_id=invoice.id)
    assert (event.action, event.user_id) == (AuditAction.SEND, editor.user.id)
    assert event.detail == {"number": invoice.number, "forced": True}
    [attempt] = await attempts_of(invoice)
    assert attempt.id == outcome.attempt_id


async def test_automatic_email_is_not_a_persons_send_in_the_audit_trail(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert outcome.sent
    assert not await AuditEvent.filter(invoice_id=invoice.id).exists()


async def test_manual_send_of_zero_total_invoice_is_sent(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, status=InvoiceStatus.PAID, total_cents=0)

    outcome = await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert outcome.sent


async def test_manual_send_without_client_email_is_refused(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, email=None)

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.CLIENT_EMAIL_MISSING
    assert await attempts_of(invoice) == []


async def test_manual_send_without_mailbox_settings_is_refused(db: str) -> None:
    tenant = await make_tenant(host=None)
    invoice = await make_invoice(tenant)

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.MAILBOX_UNAVAILABLE
    assert "not configured" in refused.value.message


async def test_manual_send_to_unreachable_mailbox_is_refused(db: str) -> None:
    tenant = await make_tenant(port=free_port())
    invoice = await make_invoice(tenant)

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.MAILBOX_UNAVAILABLE
    await invoice.refresh_from_db()
    assert invoice.emailed_at is None
    [attempt] = await attempts_of(invoice)
    assert attempt.trigger == EmailTrigger.MANUAL and attempt.result == EmailResult.FAILED


async def test_manual_send_to_refused_address_is_refused_as_invalid(
    db: str, picky_smtp_server: PickySmtpServer
) -> None:
    picky_smtp_server.refuse(CLIENT_EMAIL, "550 5.1.1 no such mailbox")
    tenant = await make_picky_tenant(picky_smtp_server)
    invoice = await make_invoice(tenant)

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert CLIENT_EMAIL in refused.value.message


async def test_manual_send_of_draft_is_refused(db: str, smtp_server: MaildirSmtpServer) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, status=InvoiceStatus.DRAFT)

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert "finalize or discard the run first" in refused.value.message
    assert smtp_server.messages() == []


async def test_manual_send_of_another_tenants_invoice_is_not_found(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant)
    other = await Tenant.create(key="other", name="Other ISP")

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=other.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.NOT_FOUND
    assert smtp_server.messages() == []


async def test_check_mailbox_reports_reachable_unreachable_and_unconfigured(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    reachable = Tenant(
        mailbox_host="127.0.0.1", mailbox_port=smtp_server.port, mailbox_from_address="b@f.test"
    )
    unreachable = Tenant(
        mailbox_host="127.0.0.1", mailbox_port=free_port(), mailbox_from_address="b@f.test"
    )
    unconfigured = Tenant(mailbox_host=None, mailbox_port=None, mailbox_from_address=None)

    assert await check_mailbox(reachable, EMAIL) is None
    assert "not reachable" in (await check_mailbox(unreachable, EMAIL) or "")
    assert "not configured" in (await check_mailbox(unconfigured, EMAIL) or "")


async def test_preview_page_escapes_values_and_shows_drafts_by_id(db: str) -> None:
    tenant = await make_tenant(port=None)
    invoice = await make_invoice(
        tenant, status=InvoiceStatus.DRAFT, client_name="<script>alert(1)</script>"
    )

    doc = await load_customer_document(tenant.id, invoice.id)
    assert doc is not None
    page = await render_invoice_html(doc)

    assert "<script>" not in page
    # The renderer escapes "<" and "&" (enough for no tag to open); ">" stays as written.
    assert "&lt;script>alert(1)&lt;/script>" in page
    assert "DRAFT" in page and f"Number: {invoice.id}" in page
    assert await load_customer_document(tenant.id + 1, invoice.id) is None


async def test_the_void_reason_is_not_in_the_customers_document(db: str) -> None:
    tenant = await make_tenant(port=None)
    invoice = await make_invoice(tenant, status=InvoiceStatus.VOID)
    await Invoice.filter(id=invoice.id).update(void_reason="Sales agreed a discount off the books")

    doc = await load_customer_document(tenant.id, invoice.id)
    assert doc is not None

    for body in (render_invoice_text(doc, "https://link.test"), await render_invoice_html(doc)):
        assert "VOID" in body
        assert "off the books" not in body and "reason" not in body.lower()


@pytest.mark.parametrize(
    ("status", "reason"),
    [(InvoiceStatus.VOID, "void"), (InvoiceStatus.DRAFT, "draft")],
)
async def test_manual_send_of_void_or_draft_is_refused_and_sends_nothing(
    db: str, smtp_server: MaildirSmtpServer, status: InvoiceStatus, reason: str
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, status=status)

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert reason in refused.value.message.lower()
    loaded = await Invoice.get(id=invoice.id).select_related("client", "tenant")
    assert send_refusal_for(loaded, loaded.client, loaded.tenant).message == refused.value.message
    assert smtp_server.messages() == []
    assert await attempts_of(invoice) == []


@pytest.mark.parametrize(
    ("client_name", "email"),
    [
        ("Ada\r\nBcc: victim@example.test", CLIENT_EMAIL),
        ("Ada", f"{CLIENT_EMAIL}\nBcc: victim@example.test"),
        ("Ada", "ada@@example.test"),
    ],
    ids=["crlf-in-name", "lf-in-address", "malformed-address"],
)
async def test_auto_email_that_cannot_be_built_is_recorded_as_permanent_and_not_raised(
    db: str, smtp_server: MaildirSmtpServer, client_name: str, email: str
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, client_name=client_name, email=email)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert not outcome.sent and outcome.permanent
    assert "could not be built" in (outcome.reason or "")
    [attempt] = await attempts_of(invoice)
    assert (attempt.result, attempt.permanent) == (EmailResult.FAILED, True)
    assert smtp_server.messages() == []


async def test_manual_send_that_cannot_be_built_is_refused_and_recorded(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=smtp_server.port)
    invoice = await make_invoice(tenant, client_name="Ada\r\nBcc: victim@example.test")

    with pytest.raises(BillingRuleError) as refused:
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert refused.value.code == ErrorCode.INVALID_INPUT
    assert "could not be built" in refused.value.message
    [attempt] = await attempts_of(invoice)
    assert (attempt.trigger, attempt.permanent) == (EmailTrigger.MANUAL, True)
    assert smtp_server.messages() == []


async def test_a_failed_manual_send_does_not_hold_back_the_next(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await make_tenant(port=free_port())
    invoice = await make_invoice(tenant)
    with pytest.raises(BillingRuleError):
        await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)
    await Tenant.filter(id=tenant.id).update(mailbox_port=smtp_server.port)

    outcome = await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)

    assert outcome.sent
    assert len(smtp_server.messages()) == 1
