"""Every collections action once, whatever happens: the pass run twice on a day, two schedulers
or two workers at once, a reminder whose send failed or whose sender died."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from billing.audit.actions import AuditAction
from billing.collections.pass_chunk import work_collections_chunk
from billing.collections.pass_open import open_collections_pass, start_due_passes
from billing.collections.reminder_email import (
    TransientReminderError,
    send_claimed_reminder,
    unsent_reminder_ids,
)
from orm.models import AuditEvent, Charge, Client, CollectionsPass, InvoiceReminder, Tenant
from tests.billing.collections.stored import (
    EMAIL,
    collections_tenant,
    owed_invoice,
    owing_client,
    pass_day,
)
from tests.support.services import free_port
from tests.support.smtp import MaildirSmtpServer

pytestmark = pytest.mark.asyncio

ISSUED = date(2026, 3, 1)
PAST_GRACE = date(2026, 3, 20)  # due 03-06, grace until 03-16: reminder level 2 is due


async def overdue_clients(tenant: Tenant, count: int) -> None:
    for n in range(count):
        client = await owing_client(tenant, f"c{n}")
        await owed_invoice(client, f"INV-{n:04}", issued_on=ISSUED)


async def actions_taken(tenant: Tenant) -> dict[str, int]:
    return {
        "reminders": await InvoiceReminder.filter(tenant_id=tenant.id).count(),
        "fees": await Charge.filter(tenant_id=tenant.id).count(),
        "blocked": await Client.filter(tenant_id=tenant.id, blocked=True).count(),
        "audit": await AuditEvent.filter(tenant_id=tenant.id).count(),
    }


async def test_the_scheduler_makes_one_pass_per_tenant_and_local_day(db: str) -> None:
    tenant = await collections_tenant(None, timezone="Pacific/Auckland")
    # 11:30 UTC on 2026-03-19 is already 2026-03-20 in Auckland.
    evening_utc = datetime(2026, 3, 19, 11, 30, tzinfo=UTC)

    first = await start_due_passes(evening_utc)
    again = await start_due_passes(evening_utc + timedelta(hours=2))
    next_day = await start_due_passes(evening_utc + timedelta(days=1))

    assert len(first) == 1 and again == [] and len(next_day) == 1
    days = (
        await CollectionsPass.filter(tenant_id=tenant.id)
        .order_by("day")
        .values_list("day", flat=True)
    )
    assert days == [date(2026, 3, 20), date(2026, 3, 21)]


async def test_a_pass_run_twice_on_a_day_acts_once(db: str, smtp_server: MaildirSmtpServer) -> None:
    tenant = await collections_tenant(smtp_server.port, late_fee_cents=500)
    await overdue_clients(tenant, 5)

    await pass_day(tenant, PAST_GRACE)
    once = await actions_taken(tenant)
    await pass_day(tenant, PAST_GRACE)
    [collections_pass] = await CollectionsPass.filter(tenant_id=tenant.id)
    chunk_ids = await collections_pass.chunks.all().values_list("id", flat=True)
    redelivered = [await work_collections_chunk(chunk_id) for chunk_id in chunk_ids]

    assert once == {"reminders": 5, "fees": 5, "blocked": 5, "audit": 5 * 4}
    assert await actions_taken(tenant) == once
    assert not any(outcome.newly_done for outcome in redelivered)
    assert len(smtp_server.messages()) == 5


async def test_the_next_days_pass_does_not_repeat_what_was_done(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(smtp_server.port, late_fee_cents=500)
    await overdue_clients(tenant, 3)

    await pass_day(tenant, PAST_GRACE)
    once = await actions_taken(tenant)
    await pass_day(tenant, PAST_GRACE + timedelta(days=1))

    assert await actions_taken(tenant) == once


@pytest.mark.postgres_only
async def test_two_schedulers_and_two_workers_at_once_act_once(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(smtp_server.port, late_fee_cents=500)
    await overdue_clients(tenant, 6)
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)

    started = await asyncio.gather(*(start_due_passes(now) for _ in range(4)))
    [pass_id] = [pass_id for ids in started for pass_id in ids]
    opened = await asyncio.gather(
        open_collections_pass(pass_id, 2), open_collections_pass(pass_id, 2)
    )
    assert opened[0] == opened[1] and len(opened[0]) == 3
    outcomes = await asyncio.gather(
        *(work_collections_chunk(chunk_id) for chunk_id in opened[0] + opened[1])
    )

    assert sum(outcome.newly_done for outcome in outcomes) == 3
    assert await actions_taken(tenant) == {"reminders": 6, "fees": 6, "blocked": 6, "audit": 18}
    finished = await CollectionsPass.get(id=pass_id)
    assert (finished.chunks_done, finished.chunks_total, finished.status) == (3, 3, "done")


async def test_a_reminder_whose_send_failed_is_sent_by_the_next_attempt_once(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(free_port())  # nothing listens there
    await overdue_clients(tenant, 1)
    collections_pass = await CollectionsPass.create(tenant_id=tenant.id, day=PAST_GRACE)
    for chunk_id in await open_collections_pass(collections_pass.id, 10):
        await work_collections_chunk(chunk_id)
    [reminder_id] = await unsent_reminder_ids(tenant.id)

    with pytest.raises(TransientReminderError):
        await send_claimed_reminder(reminder_id, EMAIL, today=PAST_GRACE)
    await Tenant.filter(id=tenant.id).update(mailbox_port=smtp_server.port)
    retried = await send_claimed_reminder(reminder_id, EMAIL, today=PAST_GRACE)
    repeated = await send_claimed_reminder(reminder_id, EMAIL, today=PAST_GRACE)

    assert retried.sent and not repeated.sent
    assert len(smtp_server.messages()) == 1
    assert await unsent_reminder_ids(tenant.id) == []
    assert await AuditEvent.filter(action=AuditAction.REMIND).count() == 1


async def test_a_reminder_held_by_a_sender_is_not_sent_by_another_until_the_hold_ends(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(smtp_server.port)
    await overdue_clients(tenant, 1)
    collections_pass = await CollectionsPass.create(tenant_id=tenant.id, day=PAST_GRACE)
    for chunk_id in await open_collections_pass(collections_pass.id, 10):
        await work_collections_chunk(chunk_id)
    [reminder_id] = await unsent_reminder_ids(tenant.id)
    # A sender took it and died before it could send.
    now = datetime.now(UTC)
    await InvoiceReminder.filter(id=reminder_id).update(sending_until=now + timedelta(minutes=1))

    while_held = await send_claimed_reminder(reminder_id, EMAIL, today=PAST_GRACE)
    await InvoiceReminder.filter(id=reminder_id).update(sending_until=now - timedelta(seconds=1))
    after_hold = await send_claimed_reminder(reminder_id, EMAIL, today=PAST_GRACE)

    assert not while_held.sent and after_hold.sent
    assert len(smtp_server.messages()) == 1


async def test_a_claim_overtaken_by_a_higher_level_is_dropped_unsent(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(free_port())
    await overdue_clients(tenant, 1)
    # Day 1 after the due date: level 1 is claimed, the mailbox is down for a week.
    first = await CollectionsPass.create(tenant_id=tenant.id, day=date(2026, 3, 7))
    for chunk_id in await open_collections_pass(first.id, 10):
        await work_collections_chunk(chunk_id)
    await Tenant.filter(id=tenant.id).update(mailbox_port=smtp_server.port)

    await pass_day(tenant, date(2026, 3, 14))

    [message] = smtp_server.messages()
    assert message["X-Reminder-Level"] == "2"
    levels = await InvoiceReminder.all().values_list("level", "sent_at")
    assert [level for level, sent_at in levels if sent_at] == [2]
    assert [level for level, _ in levels] == [2]


async def test_a_claim_of_an_invoice_paid_since_is_dropped_unsent(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(smtp_server.port)
    client = await owing_client(tenant)
    invoice = await owed_invoice(client, "INV-0001", issued_on=ISSUED)
    collections_pass = await CollectionsPass.create(tenant_id=tenant.id, day=PAST_GRACE)
    for chunk_id in await open_collections_pass(collections_pass.id, 10):
        await work_collections_chunk(chunk_id)
    await type(invoice).filter(id=invoice.id).update(balance_cents=0, status="paid")
    [reminder_id] = await unsent_reminder_ids(tenant.id)

    outcome = await send_claimed_reminder(reminder_id, EMAIL, today=PAST_GRACE)

    assert not outcome.sent and "nothing owed" in (outcome.reason or "")
    assert smtp_server.messages() == []
    assert not await InvoiceReminder.exists()


async def test_a_claim_left_unsent_past_a_higher_levels_day_is_dropped_before_the_pass(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await collections_tenant(free_port())
    await overdue_clients(tenant, 1)
    first = await CollectionsPass.create(tenant_id=tenant.id, day=date(2026, 3, 7))
    for chunk_id in await open_collections_pass(first.id, 10):
        await work_collections_chunk(chunk_id)
    [reminder_id] = await unsent_reminder_ids(tenant.id)
    await Tenant.filter(id=tenant.id).update(mailbox_port=smtp_server.port)

    # Level 2's day (03-13), before that day's pass has claimed it: level 1 must not go out.
    outcome = await send_claimed_reminder(reminder_id, EMAIL, today=date(2026, 3, 13))

    assert not outcome.sent and "overtaken" in (outcome.reason or "")
    assert smtp_server.messages() == []
    assert not await InvoiceReminder.exists()
