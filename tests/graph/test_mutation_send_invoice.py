"""sendInvoice: the invoice is emailed through the tenant's mailbox and the send is recorded."""

from __future__ import annotations

import pytest

from orm.models import AuditEvent, Invoice, Tenant
from orm.models.enums import AuditAction, InvoiceStatus
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_client, make_invoice
from tests.support.smtp import MaildirSmtpServer

SEND = """mutation($id: ID!) { sendInvoice(input: {id: $id}) {
  invoice { id emailedAt }
  errors { code message field }
} }"""


async def send(graphql: GraphQLClient, team: Team, invoice_id: object) -> dict:
    data = await graphql.data(SEND, {"id": str(invoice_id)}, user=team.editor)
    return data["sendInvoice"]


async def use_mailbox(tenant: Tenant, smtp: MaildirSmtpServer) -> None:
    tenant.mailbox_host = smtp.host
    tenant.mailbox_port = smtp.port
    tenant.mailbox_from_address = "billing@acme.example"
    await tenant.save()


@pytest.mark.asyncio
async def test_the_invoice_is_emailed_and_the_send_recorded(
    graphql: GraphQLClient, acme: Team, smtp_server: MaildirSmtpServer
) -> None:
    await use_mailbox(acme.tenant, smtp_server)
    invoice = await make_invoice(acme.client, "INV-0500", total="75.25")
    payload = await send(graphql, acme, invoice.id)
    assert payload["errors"] == []
    assert payload["invoice"]["emailedAt"] is not None
    assert (await Invoice.get(id=invoice.id)).emailed_at is not None
    event = await AuditEvent.get(action=AuditAction.SEND, invoice_id=invoice.id)
    assert event.user_id == acme.editor.user.id
    [message] = smtp_server.messages()
    assert "INV-0500" in message["Subject"]
    assert message["To"].addresses[0].addr_spec == "client@example.com"


async def refused(graphql: GraphQLClient, team: Team, invoice: Invoice, code: str) -> None:
    payload = await send(graphql, team, invoice.id)
    assert payload["invoice"] is None
    assert [error["code"] for error in payload["errors"]] == [code]
    assert (await Invoice.get(id=invoice.id)).emailed_at is None
    assert not await AuditEvent.filter(action=AuditAction.SEND).exists()


@pytest.mark.asyncio
async def test_a_client_without_email_is_refused(
    graphql: GraphQLClient, acme: Team, smtp_server: MaildirSmtpServer
) -> None:
    await use_mailbox(acme.tenant, smtp_server)
    silent = await make_client(acme.tenant, "silent", email=None)
    await refused(graphql, acme, await make_invoice(silent), "CLIENT_EMAIL_MISSING")
    assert smtp_server.messages() == []


@pytest.mark.asyncio
async def test_a_tenant_without_a_mailbox_is_refused(graphql: GraphQLClient, acme: Team) -> None:
    await refused(graphql, acme, await make_invoice(acme.client), "MAILBOX_UNAVAILABLE")


@pytest.mark.asyncio
async def test_a_draft_is_not_sent(
    graphql: GraphQLClient, acme: Team, smtp_server: MaildirSmtpServer
) -> None:
    await use_mailbox(acme.tenant, smtp_server)
    draft = await make_invoice(acme.client, None, status=InvoiceStatus.DRAFT)
    await refused(graphql, acme, draft, "INVALID_INPUT")


@pytest.mark.asyncio
@pytest.mark.parametrize("which", ["foreign", "malformed"])
async def test_an_invoice_not_of_the_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, smtp_server: MaildirSmtpServer, which: str
) -> None:
    await use_mailbox(acme.tenant, smtp_server)
    foreign = await make_invoice(globex.client)
    payload = await send(graphql, acme, foreign.id if which == "foreign" else "#1")
    assert [error["code"] for error in payload["errors"]] == ["NOT_FOUND"]
    assert smtp_server.messages() == []
