"""sendInvoice: the invoice is emailed through the tenant's mailbox and the send is recorded;
an idempotency key or a send less than a minute before keeps the customer from a second email."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from billing.audit.actions import AuditAction
from billing.delivery.attempts import EmailResult
from billing.invoices.lifecycle import InvoiceStatus
from orm.models import AuditEvent, EmailAttempt, Invoice, Tenant
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_client, make_invoice
from tests.support.services import free_port
from tests.support.smtp import MaildirSmtpServer

SEND = """mutation($id: ID!, $key: String, $force: Boolean) {
  sendInvoice(input: {id: $id, idempotencyKey: $key, force: $force}) {
    invoice { id emailedAt }
    errors { code message field }
  }
}"""


async def send(
    graphql: GraphQLClient,
    team: Team,
    invoice_id: object,
    *,
    key: str | None = None,
    force: bool = False,
) -> dict:
    variables = {"id": str(invoice_id), "key": key, "force": force}
    data = await graphql.data(SEND, variables, user=team.editor)
    return data["sendInvoice"]


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


async def use_mailbox(tenant: Tenant, smtp: MaildirSmtpServer) -> None:
    tenant.mailbox_host = smtp.host
    tenant.mailbox_port = smtp.port
    tenant.mailbox_from_address = "billing@acme.example"
    await tenant.save()


@pytest_asyncio.fixture
async def mailbox(acme: Team, smtp_server: MaildirSmtpServer) -> MaildirSmtpServer:
    """The SMTP server, set up as acme's mailbox."""
    await use_mailbox(acme.tenant, smtp_server)
    return smtp_server


@pytest.mark.asyncio
async def test_the_invoice_is_emailed_and_the_send_recorded(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client, "INV-0500", total="75.25")
    payload = await send(graphql, acme, invoice.id)
    assert payload["errors"] == []
    assert payload["invoice"]["emailedAt"] is not None
    assert (await Invoice.get(id=invoice.id)).emailed_at is not None
    event = await AuditEvent.get(action=AuditAction.SEND, invoice_id=invoice.id)
    assert event.user_id == acme.editor.user.id
    [message] = mailbox.messages()
    assert "INV-0500" in message["Subject"]
    assert message["To"].addresses[0].addr_spec == "client@example.com"


async def refused(graphql: GraphQLClient, team: Team, invoice: Invoice, code: str) -> None:
    payload = await send(graphql, team, invoice.id)
    assert payload["invoice"] is None
    assert codes(payload) == [code]
    assert (await Invoice.get(id=invoice.id)).emailed_at is None
    assert not await AuditEvent.filter(action=AuditAction.SEND).exists()


@pytest.mark.asyncio
async def test_a_client_without_email_is_refused(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    silent = await make_client(acme.tenant, "silent", email=None)
    await refused(graphql, acme, await make_invoice(silent), "CLIENT_EMAIL_MISSING")
    assert mailbox.messages() == []


@pytest.mark.asyncio
async def test_a_tenant_without_a_mailbox_is_refused(graphql: GraphQLClient, acme: Team) -> None:
    await refused(graphql, acme, await make_invoice(acme.client), "MAILBOX_UNAVAILABLE")


@pytest.mark.asyncio
async def test_a_draft_is_not_sent(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    draft = await make_invoice(acme.client, None, status=InvoiceStatus.DRAFT)
    await refused(graphql, acme, draft, "INVALID_INPUT")


@pytest.mark.asyncio
@pytest.mark.parametrize("which", ["foreign", "malformed"])
async def test_an_invoice_not_of_the_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, mailbox: MaildirSmtpServer, which: str
) -> None:
    foreign = await make_invoice(globex.client)
    payload = await send(graphql, acme, foreign.id if which == "foreign" else "#1")
    assert codes(payload) == ["NOT_FOUND"]
    assert mailbox.messages() == []


@pytest.mark.asyncio
async def test_a_repeat_with_the_same_key_returns_the_first_result_and_sends_nothing_more(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client)
    first = await send(graphql, acme, invoice.id, key="send-0001")
    repeat = await send(graphql, acme, invoice.id, key="send-0001")
    assert first["errors"] == [] and repeat == first
    assert len(mailbox.messages()) == 1
    assert await EmailAttempt.filter(invoice_id=invoice.id).count() == 1
    assert await AuditEvent.filter(action=AuditAction.SEND).count() == 1


@pytest.mark.asyncio
async def test_the_same_key_with_another_input_is_refused_as_a_conflict(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    first = await make_invoice(acme.client, "INV-0001")
    second = await make_invoice(acme.client, "INV-0002")
    await send(graphql, acme, first.id, key="send-0001")
    payload = await send(graphql, acme, second.id, key="send-0001")
    assert codes(payload) == ["IDEMPOTENCY_CONFLICT"]
    assert payload["invoice"] is None
    assert (await Invoice.get(id=second.id)).emailed_at is None
    assert len(mailbox.messages()) == 1


@pytest.mark.asyncio
async def test_keys_are_per_tenant(
    graphql: GraphQLClient, acme: Team, globex: Team, smtp_server: MaildirSmtpServer
) -> None:
    for team in (acme, globex):
        await use_mailbox(team.tenant, smtp_server)
        payload = await send(graphql, team, (await make_invoice(team.client)).id, key="k-1")
        assert payload["errors"] == []
    assert len(smtp_server.messages()) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("key", ["", "k" * 201, "line\nbreak"])
async def test_a_malformed_key_is_invalid_input_and_sends_nothing(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer, key: str
) -> None:
    payload = await send(graphql, acme, (await make_invoice(acme.client)).id, key=key)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID_INPUT", "idempotencyKey")
    ]
    assert mailbox.messages() == []


@pytest.mark.asyncio
async def test_a_send_within_a_minute_of_the_last_is_refused_unless_forced(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client)
    assert (await send(graphql, acme, invoice.id))["errors"] == []
    again = await send(graphql, acme, invoice.id)
    assert codes(again) == ["RECENTLY_SENT"]
    assert "less than a minute ago" in again["errors"][0]["message"]
    assert len(mailbox.messages()) == 1
    forced = await send(graphql, acme, invoice.id, force=True)
    assert forced["errors"] == []
    assert len(mailbox.messages()) == 2
    assert await AuditEvent.filter(action=AuditAction.SEND).count() == 2


@pytest.mark.asyncio
async def test_an_invoice_auto_emailed_a_moment_ago_is_not_sent_again_unforced(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client, emailed=True)
    assert codes(await send(graphql, acme, invoice.id)) == ["RECENTLY_SENT"]
    assert mailbox.messages() == []


@pytest.mark.asyncio
async def test_a_failed_send_may_be_tried_again_at_once_with_its_key(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    await Tenant.filter(id=acme.tenant.id).update(mailbox_port=free_port())
    invoice = await make_invoice(acme.client)
    failed = await send(graphql, acme, invoice.id, key="send-0001")
    assert codes(failed) == ["MAILBOX_UNAVAILABLE"]
    await Tenant.filter(id=acme.tenant.id).update(mailbox_port=mailbox.port)
    retried = await send(graphql, acme, invoice.id, key="send-0001")
    assert retried["errors"] == []
    assert len(mailbox.messages()) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Ada\r\nBcc: victim@example.com", "ada@example.com"),
        ("Ada", "ada@example.com\r\nBcc: victim@example.com"),
        ("Ada", "ada@example.com, victim@example.com"),
    ],
    ids=["crlf-in-name", "crlf-in-address", "two-addresses"],
)
async def test_an_email_that_cannot_be_built_is_a_payload_error_and_a_failed_attempt(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer, name: str, email: str
) -> None:
    client = await make_client(acme.tenant, "injected", name=name, email=email)
    invoice = await make_invoice(client)
    payload = await send(graphql, acme, invoice.id)
    assert codes(payload) == ["INVALID_INPUT"]
    assert "could not be built" in payload["errors"][0]["message"]
    [attempt] = await EmailAttempt.filter(invoice_id=invoice.id)
    assert (attempt.result, attempt.permanent) == (EmailResult.FAILED, True)
    assert mailbox.messages() == []
    assert (await Invoice.get(id=invoice.id)).emailed_at is None


@pytest.mark.asyncio
async def test_two_concurrent_sends_with_the_same_key_send_one_email(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client)
    payloads = await asyncio.gather(
        *(send(graphql, acme, invoice.id, key="double-click", force=True) for _ in range(2))
    )
    # The second finds the first finished (its result) or still sending (a conflict).
    outcomes = sorted(codes(payload) for payload in payloads)
    assert outcomes in ([[], []], [[], ["IDEMPOTENCY_CONFLICT"]])
    assert len(mailbox.messages()) == 1
    assert await AuditEvent.filter(action=AuditAction.SEND).count() == 1


@pytest.mark.asyncio
async def test_two_hundred_sends_without_a_key_within_a_minute_send_one_email(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client)
    payloads = await asyncio.gather(*(send(graphql, acme, invoice.id) for _ in range(200)))
    outcomes = sorted(tuple(codes(payload)) for payload in payloads)
    assert outcomes == [()] + [("RECENTLY_SENT",)] * 199
    assert len(mailbox.messages()) == 1
