"""The settlement hook: a void, a credit note or a payment that leaves nothing past grace lifts
an OVERDUE block in its own transaction; nothing past due makes the client active again; a
MANUAL block stays; settling never blocks."""

from __future__ import annotations

from datetime import date

import pytest
from tortoise.transactions import in_transaction

from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.collections.blocking import after_settlement, set_client_blocked
from billing.credit_notes.issue import CreditNoteRequest, issue_credit_note
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.invoices.void import void_invoice
from orm.models import AuditEvent, Client
from tests.billing.collections.stored import (
    collections_tenant,
    owed_invoice,
    owing_client,
    pass_day,
    record_payment,
)
from tests.support.smtp import MaildirSmtpServer

pytestmark = pytest.mark.asyncio

ISSUED = date(2026, 3, 1)
PAST_GRACE = date(2026, 3, 20)


async def blocked_client(smtp_port: int):  # type: ignore[no-untyped-def]
    tenant = await collections_tenant(smtp_port, reminder_days=[])
    client = await owing_client(tenant)
    invoice = await owed_invoice(client, "INV-0001", issued_on=ISSUED)
    await pass_day(tenant, PAST_GRACE)
    blocked = await Client.get(id=client.id)
    assert (blocked.blocked, blocked.blocked_reason, blocked.status) == (
        True,
        BlockedReason.OVERDUE,
        ClientStatus.OVERDUE,
    )
    return tenant, client, invoice


async def standing(client: Client) -> tuple[bool, str | None, str]:
    stored = await Client.get(id=client.id)
    return stored.blocked, stored.blocked_reason, stored.status


async def test_a_void_lifts_the_block_at_once(db: str, smtp_server: MaildirSmtpServer) -> None:
    tenant, client, invoice = await blocked_client(smtp_server.port)

    await void_invoice(
        tenant_id=tenant.id,
        user_id=None,
        invoice_id=invoice.id,
        reset_service_schedule=False,
        reason="billed in error",
    )

    assert await standing(client) == (False, None, ClientStatus.ACTIVE)


async def test_a_credit_note_offsetting_the_balance_lifts_the_block(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant, client, invoice = await blocked_client(smtp_server.port)

    await issue_credit_note(
        tenant_id=tenant.id,
        user_id=None,
        request=CreditNoteRequest(
            invoice_id=invoice.id,
            reason="Outage in March",
            lines=None,
            settlement=CreditNoteSettlement.OFFSET,
        ),
    )

    assert await standing(client) == (False, None, ClientStatus.ACTIVE)


async def test_a_partial_payment_leaves_the_block(db: str, smtp_server: MaildirSmtpServer) -> None:
    _, client, invoice = await blocked_client(smtp_server.port)

    await record_payment(invoice, 5000, PAST_GRACE)

    assert await standing(client) == (True, BlockedReason.OVERDUE, ClientStatus.OVERDUE)


async def test_paying_one_of_two_invoices_past_grace_leaves_the_block(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    _, client, invoice = await blocked_client(smtp_server.port)
    await owed_invoice(client, "INV-0002", issued_on=ISSUED)

    await record_payment(invoice, 10000, PAST_GRACE)

    assert await standing(client) == (True, BlockedReason.OVERDUE, ClientStatus.OVERDUE)


async def test_settling_never_lifts_a_manual_block(db: str, smtp_server: MaildirSmtpServer) -> None:
    tenant, client, invoice = await blocked_client(smtp_server.port)
    await set_client_blocked(tenant_id=tenant.id, user_id=None, client_id=client.id, blocked=True)

    await record_payment(invoice, 10000, PAST_GRACE)

    assert await standing(client) == (True, BlockedReason.MANUAL, ClientStatus.ACTIVE)


async def test_settling_never_blocks(db: str, smtp_server: MaildirSmtpServer) -> None:
    tenant = await collections_tenant(smtp_server.port, reminder_days=[])
    client = await owing_client(tenant)
    await owed_invoice(client, "INV-0001", issued_on=ISSUED)

    async with in_transaction() as conn:
        await after_settlement(conn, tenant_id=tenant.id, client_id=client.id, today=PAST_GRACE)

    assert await standing(client) == (False, None, ClientStatus.ACTIVE)
    assert not await AuditEvent.exists()


async def test_unblocking_by_hand_clears_an_overdue_block_with_an_audit_record(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant, client, _ = await blocked_client(smtp_server.port)

    await set_client_blocked(tenant_id=tenant.id, user_id=None, client_id=client.id, blocked=False)

    assert (await standing(client))[:2] == (False, None)
    event = await AuditEvent.filter(action="unblock").order_by("-id").first()
    assert event is not None
    assert event.detail == {"client_id": client.id, "reason": "manual", "was": "overdue"}
