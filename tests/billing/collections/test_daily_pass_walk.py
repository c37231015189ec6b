"""Thirty days of one stored tenant through the daily pass, on SQLite and PostgreSQL: issue, due,
reminders emailed at days 1, 7 and 14 after the due date, the late fee and the block after grace,
then a payment that lifts the block in its own transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from billing.audit.actions import AuditAction
from billing.clients.eligibility import BlockedReason, ChargeStatus, ClientStatus
from billing.collections.passes import PassStatus, ReminderTrigger
from orm.models import AuditEvent, Charge, Client, InvoiceReminder
from tests.billing.collections.stored import (
    collections_tenant,
    owed_invoice,
    owing_client,
    pass_day,
    record_payment,
)
from tests.support.smtp import MaildirSmtpServer

pytestmark = pytest.mark.asyncio

ISSUED = date(2026, 3, 1)  # due 2026-03-06, past grace from 2026-03-17


async def test_thirty_days_of_a_stored_tenant(db: str, smtp_server: MaildirSmtpServer) -> None:
    tenant = await collections_tenant(smtp_server.port, late_fee_cents=250, late_fee_percent=5)
    client = await owing_client(tenant)
    invoice = await owed_invoice(client, "INV-0042", issued_on=ISSUED)
    standing: dict[date, tuple[str, bool, str | None]] = {}
    for day in (ISSUED + timedelta(days=n) for n in range(30)):
        if day == date(2026, 3, 22):
            await record_payment(invoice, 4000, day)
        if day == date(2026, 3, 25):
            await record_payment(invoice, 6000, day)
            unblocked = await Client.get(id=client.id)
            # Lifted by the payment's own transaction, before that day's pass.
            assert (unblocked.blocked, unblocked.status) == (False, ClientStatus.ACTIVE)
        done = await pass_day(tenant, day)
        assert done.status == PassStatus.DONE
        stored = await Client.get(id=client.id)
        standing[day] = (stored.status, stored.blocked, stored.blocked_reason)

    reminders = await InvoiceReminder.filter(invoice_id=invoice.id).order_by("level")
    assert [(r.level, r.trigger, r.sent_at is not None) for r in reminders] == [
        (1, ReminderTrigger.AUTO, True),
        (2, ReminderTrigger.AUTO, True),
        (3, ReminderTrigger.AUTO, True),
    ]
    emails = smtp_server.messages()
    assert sorted(message["X-Reminder-Level"] for message in emails) == ["1", "2", "3"]
    for message in emails:
        assert "INV-0042" in message["Subject"]
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
    [fee] = await Charge.filter(client_id=client.id)
    assert (fee.key, fee.description, fee.amount_cents, fee.status, fee.scheduled_on) == (
        f"late-fee-{invoice.id}",
        "Late fee for INV-0042",
        500,  # 5 % of 100.00 beats the fixed 2.50
        ChargeStatus.PENDING,
        date(2026, 3, 17),
    )
    assert standing[date(2026, 3, 6)] == (ClientStatus.ACTIVE, False, None)
    assert standing[date(2026, 3, 7)] == (ClientStatus.OVERDUE, False, None)
    assert standing[date(2026, 3, 16)] == (ClientStatus.OVERDUE, False, None)
    assert standing[date(2026, 3, 17)] == (ClientStatus.OVERDUE, True, BlockedReason.OVERDUE)
    assert standing[date(2026, 3, 22)] == (ClientStatus.OVERDUE, True, BlockedReason.OVERDUE)
    assert standing[date(2026, 3, 30)] == (ClientStatus.ACTIVE, False, None)
    actions = [
        event.action for event in await AuditEvent.filter(tenant_id=tenant.id).order_by("id")
    ]
    assert actions == [
        AuditAction.CLIENT_STATUS,
        AuditAction.REMIND,
        AuditAction.REMIND,
        AuditAction.LATE_FEE,
        AuditAction.BLOCK,
        AuditAction.REMIND,
        AuditAction.PAYMENT,
        AuditAction.PAYMENT,
        AuditAction.CLIENT_STATUS,
        AuditAction.UNBLOCK,
    ]
    block = await AuditEvent.get(tenant_id=tenant.id, action=AuditAction.BLOCK)
    assert block.detail == {"client_id": client.id, "reason": "overdue", "day": "2026-03-17"}
    assert block.user_id is None and block.created_at is not None


async def test_after_missed_days_only_the_latest_level_is_emailed(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(smtp_server.port)
    client = await owing_client(tenant)
    invoice = await owed_invoice(client, "INV-0043", issued_on=ISSUED)

    await pass_day(tenant, date(2026, 3, 15))  # the first pass in nine days past due

    [reminder] = await InvoiceReminder.filter(invoice_id=invoice.id)
    assert reminder.level == 2
    [message] = smtp_server.messages()
    assert message["X-Reminder-Level"] == "2"


async def test_a_manual_block_is_never_replaced_or_lifted_by_collections(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(smtp_server.port)
    client = await owing_client(tenant)
    await Client.filter(id=client.id).update(blocked=True, blocked_reason=BlockedReason.MANUAL)
    invoice = await owed_invoice(client, "INV-0044", issued_on=ISSUED)

    await pass_day(tenant, date(2026, 3, 20))
    blocked = await Client.get(id=client.id)
    await record_payment(invoice, 10000, date(2026, 3, 21))
    await pass_day(tenant, date(2026, 3, 21))
    paid = await Client.get(id=client.id)

    assert (blocked.blocked, blocked.blocked_reason) == (True, BlockedReason.MANUAL)
    assert (paid.blocked, paid.blocked_reason, paid.status) == (
        True,
        BlockedReason.MANUAL,
        ClientStatus.ACTIVE,
    )


async def test_suspended_and_inactive_clients_keep_their_status(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(smtp_server.port, block_after_grace=False)
    for key, status in (("sus", ClientStatus.SUSPENDED), ("off", ClientStatus.INACTIVE)):
        client = await owing_client(tenant, key)
        await Client.filter(id=client.id).update(status=status)
        await owed_invoice(client, f"INV-{key}", issued_on=ISSUED)

    await pass_day(tenant, date(2026, 3, 20))

    assert sorted(await Client.all().values_list("status", flat=True)) == [
        ClientStatus.INACTIVE,
        ClientStatus.SUSPENDED,
    ]
    assert not await Client.filter(blocked=True).exists()
