"""Row actions: which the viewer may take now, and the reason where not."""

from __future__ import annotations

import pytest

from billing.invoices.lifecycle import (
    DELETE_DEV_ONLY,
    DRAFT_NOT_SENT,
    DRAFT_NOT_VOIDED,
    VOID_NOT_SENT,
    InvoiceStatus,
)
from orm.models import Invoice, Tenant
from tests.graph.conftest import GraphQLClient, Team, api_client, make_settings
from tests.graph.test_mutation_send_invoice import SEND, use_mailbox
from tests.support.builders import ApiUser, make_client, make_invoice, pay
from tests.support.smtp import MaildirSmtpServer

ACTIONS = """query($id: ID!) { invoice(id: $id) { actions {
  view { allowed reason } send { allowed reason } void { allowed reason } delete { allowed reason }
} } }"""

ALLOWED = {"allowed": True, "reason": None}


async def with_mailbox(tenant: Tenant) -> None:
    tenant.mailbox_host = "smtp.isp.test"
    tenant.mailbox_port = 587
    tenant.mailbox_from_address = "billing@isp.test"
    await tenant.save()


async def actions_of(graphql: GraphQLClient, user: ApiUser, invoice_id: int) -> dict:
    data = await graphql.data(ACTIONS, {"id": str(invoice_id)}, user=user)
    return data["invoice"]["actions"]


@pytest.mark.asyncio
async def test_an_editor_may_view_send_void_and_delete_an_unpaid_invoice_in_development(
    graphql: GraphQLClient, acme: Team
) -> None:
    await with_mailbox(acme.tenant)
    invoice = await make_invoice(acme.client)
    actions = await actions_of(graphql, acme.editor, invoice.id)
    assert actions == {"view": ALLOWED, "send": ALLOWED, "void": ALLOWED, "delete": ALLOWED}


@pytest.mark.asyncio
async def test_a_view_only_user_may_only_view(graphql: GraphQLClient, acme: Team) -> None:
    await with_mailbox(acme.tenant)
    invoice = await make_invoice(acme.client)
    actions = await actions_of(graphql, acme.viewer, invoice.id)
    refused = {"allowed": False, "reason": "Needs the billing.edit permission."}
    assert actions == {"view": ALLOWED, "send": refused, "void": refused, "delete": refused}


@pytest.mark.asyncio
async def test_a_draft_cannot_be_sent_or_voided_until_its_run_is_reviewed(
    graphql: GraphQLClient, acme: Team
) -> None:
    await with_mailbox(acme.tenant)
    draft = await make_invoice(acme.client, None, status=InvoiceStatus.DRAFT)
    actions = await actions_of(graphql, acme.editor, draft.id)
    assert actions["send"] == {"allowed": False, "reason": DRAFT_NOT_SENT}
    assert actions["void"] == {"allowed": False, "reason": DRAFT_NOT_VOIDED}
    assert actions["view"] == ALLOWED


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "reason"),
    [(InvoiceStatus.VOID, VOID_NOT_SENT), (InvoiceStatus.DRAFT, DRAFT_NOT_SENT)],
)
async def test_send_is_refused_with_the_same_reason_by_the_action_and_the_mutation(
    graphql: GraphQLClient,
    acme: Team,
    smtp_server: MaildirSmtpServer,
    status: InvoiceStatus,
    reason: str,
) -> None:
    await use_mailbox(acme.tenant, smtp_server)
    invoice = await make_invoice(acme.client, status=status, total="79.99")
    action = (await actions_of(graphql, acme.editor, invoice.id))["send"]
    payload = (await graphql.data(SEND, {"id": str(invoice.id)}, user=acme.editor))["sendInvoice"]
    assert action == {"allowed": False, "reason": reason}
    assert [error["message"] for error in payload["errors"]] == [reason]
    assert payload["invoice"] is None
    assert smtp_server.messages() == []
    assert (await Invoice.get(id=invoice.id)).emailed_at is None


@pytest.mark.asyncio
async def test_send_needs_a_client_email(graphql: GraphQLClient, acme: Team) -> None:
    await with_mailbox(acme.tenant)
    silent = await make_client(acme.tenant, "silent", email=None)
    invoice = await make_invoice(silent)
    send = (await actions_of(graphql, acme.editor, invoice.id))["send"]
    assert send["allowed"] is False
    assert "email" in send["reason"]


@pytest.mark.asyncio
async def test_send_needs_a_configured_mailbox(graphql: GraphQLClient, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    send = (await actions_of(graphql, acme.editor, invoice.id))["send"]
    assert send["allowed"] is False
    assert "mailbox" in send["reason"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "paid", "words"),
    [
        (InvoiceStatus.PAID, None, "only unpaid"),
        (InvoiceStatus.PARTIAL, None, "only unpaid"),
        (InvoiceStatus.VOID, None, "already void"),
        (InvoiceStatus.UNPAID, "10.00", "Payments are allocated"),
    ],
)
async def test_void_follows_the_void_rules(
    graphql: GraphQLClient, acme: Team, status: InvoiceStatus, paid: str | None, words: str
) -> None:
    invoice = await make_invoice(acme.client, status=status)
    if paid:
        await pay(invoice, paid)
    void = (await actions_of(graphql, acme.editor, invoice.id))["void"]
    assert void["allowed"] is False
    assert words in void["reason"]


@pytest.mark.asyncio
async def test_delete_only_in_development(db: str, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    async with api_client(make_settings(db, env="production")) as api:
        delete = (await actions_of(GraphQLClient(api), acme.editor, invoice.id))["delete"]
    assert delete == {"allowed": False, "reason": DELETE_DEV_ONLY}
    assert "development" in DELETE_DEV_ONLY
