"""The daily collections pass on the workers: the embedded broker with the scheduler's start,
worker processes over Redis and RabbitMQ, and a worker killed mid-pass and started again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dramatiq
import pytest

from billing.audit.actions import AuditAction
from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.collections.passes import PassStatus
from billing.dates import today_in
from ispbox.config import get_settings
from orm.models import AuditEvent, Charge, Client, CollectionsPass, InvoiceReminder, Tenant
from tests.support.bulk_data import add_clients_owing
from tests.support.factories import make_tenant
from tests.support.services import RABBITMQ_URL, REDIS_URL, require_service
from tests.support.smtp import MaildirSmtpServer
from tests.support.worker_process import broker_session, enqueue, worker_process
from workers.embedded import start_embedded_workers, stop_embedded_workers
from workers.scheduler import start_collections_passes

pytestmark = pytest.mark.asyncio

POLL_SECONDS = 0.02


async def wait_for_pass(
    pass_id: int, done: bool = True, *, chunks_done: int = 0, timeout: float = 120
) -> CollectionsPass:
    async with asyncio.timeout(timeout):
        while True:
            collections_pass = await CollectionsPass.get(id=pass_id)
            if done and collections_pass.status == PassStatus.DONE:
                return collections_pass
            if not done and collections_pass.chunks_done >= chunks_done:
                return collections_pass
            await asyncio.sleep(POLL_SECONDS)


async def tenant_past_grace(count: int, **settings: object) -> tuple[Tenant, list[int]]:
    """A tenant whose `count` clients each owe an invoice past its grace date today."""
    tenant = await make_tenant(
        late_fee_cents=500, block_after_grace=True, reminder_days=[], **settings
    )
    today = today_in(tenant.timezone)
    client_ids = await add_clients_owing(
        tenant, count, due_on=today - timedelta(days=20), grace_until=today - timedelta(days=5)
    )
    return tenant, client_ids


async def assert_collected_exactly_once(tenant: Tenant, client_ids: list[int]) -> None:
    clients = await Client.filter(tenant_id=tenant.id).values_list(
        "status", "blocked", "blocked_reason"
    )
    assert set(clients) == {(ClientStatus.OVERDUE, True, BlockedReason.OVERDUE)}
    fees = await Charge.filter(tenant_id=tenant.id).values_list("client_id", flat=True)
    assert sorted(fees) == client_ids
    for action in (AuditAction.LATE_FEE, AuditAction.BLOCK, AuditAction.CLIENT_STATUS):
        assert await AuditEvent.filter(tenant_id=tenant.id, action=action).count() == len(
            client_ids
        )


async def test_the_scheduler_starts_the_pass_and_the_embedded_workers_email_the_reminders(
    db: str, smtp_server: MaildirSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(
        reminder_days=[1, 7],
        block_after_grace=True,
        mailbox_host=smtp_server.host,
        mailbox_port=smtp_server.port,
        mailbox_from_address="billing@acme.example",
    )
    today = today_in(tenant.timezone)
    client_ids = await add_clients_owing(
        tenant, 12, due_on=today - timedelta(days=8), grace_until=today + timedelta(days=1)
    )
    monkeypatch.setattr(get_settings(), "collections_chunk_size", 5)
    dramatiq.get_broker().flush_all()  # messages other tests queued with no worker running
    await start_embedded_workers(get_settings(), scheduler=False)
    try:
        [pass_id] = await start_collections_passes(datetime.now(UTC))
        done = await wait_for_pass(pass_id)
        async with asyncio.timeout(60):
            while len(smtp_server.messages()) < len(client_ids):
                await asyncio.sleep(0.1)
        assert await start_collections_passes(datetime.now(UTC)) == []
    finally:
        await stop_embedded_workers()

    assert done.chunks_total == 3
    # Eight days past due, after no pass before: only level 2, for each invoice, once.
    assert sorted(await InvoiceReminder.all().values_list("level", flat=True)) == [2] * 12
    assert len(smtp_server.messages()) == 12
    assert await InvoiceReminder.filter(sent_at__isnull=True).count() == 0
    assert not await Client.filter(blocked=True).exists()  # in grace still
    assert await Client.filter(status=ClientStatus.OVERDUE).count() == 12


@pytest.mark.postgres_only
@pytest.mark.parametrize("broker_url", [REDIS_URL, RABBITMQ_URL], ids=["redis", "rabbitmq"])
async def test_a_worker_process_does_the_pass_in_chunks(
    db: str, broker_url: str, tmp_path: Path
) -> None:
    port = 6379 if broker_url.startswith("redis") else 5672
    require_service(broker_url.split(":")[0], "127.0.0.1", port)
    tenant, client_ids = await tenant_past_grace(1000)
    collections_pass = await CollectionsPass.create(
        tenant_id=tenant.id, day=today_in(tenant.timezone)
    )

    with (
        broker_session(broker_url) as session,
        worker_process(session, db, tmp_path / "worker.log", collections_chunk_size="250"),
    ):
        enqueue(session, "collections", "start_collections_pass_job", collections_pass.id)
        done = await wait_for_pass(collections_pass.id)

    assert (done.chunks_total, done.chunks_done) == (4, 4)
    await assert_collected_exactly_once(tenant, client_ids)


@pytest.mark.postgres_only
async def test_a_worker_killed_mid_pass_and_restarted_collects_everyone_exactly_once(
    db: str, tmp_path: Path
) -> None:
    require_service("redis", "127.0.0.1", 6379)
    tenant, client_ids = await tenant_past_grace(3000)
    collections_pass = await CollectionsPass.create(
        tenant_id=tenant.id, day=today_in(tenant.timezone)
    )

    with (
        broker_session(REDIS_URL) as session,
        worker_process(session, db, tmp_path / "worker.log", collections_chunk_size="50") as worker,
    ):
        enqueue(session, "collections", "start_collections_pass_job", collections_pass.id)
        await wait_for_pass(collections_pass.id, done=False, chunks_done=2)
        worker.kill()
        interrupted = await CollectionsPass.get(id=collections_pass.id)
        assert interrupted.status != PassStatus.DONE
        worker.start()
        done = await wait_for_pass(collections_pass.id, timeout=180)

    assert (done.chunks_total, done.chunks_done) == (60, 60)
    await assert_collected_exactly_once(tenant, client_ids)
