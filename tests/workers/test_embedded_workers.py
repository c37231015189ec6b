"""The embedded default: the API process's own loop runs the actors over the in-memory broker."""

import asyncio
from datetime import date

import dramatiq
import pytest

import workers.runs
from billing.runs.lifecycle import RunStatus
from billing.runs.planning import start_invoice_run
from ispbox.config import get_settings
from orm.models import Invoice, InvoiceRun
from tests.support.bulk_data import add_clients_with_services
from tests.support.factories import make_tenant
from tests.support.smtp import MaildirSmtpServer
from workers.embedded import start_embedded_workers, stop_embedded_workers
from workers.runs import enqueue_invoice_run

pytestmark = pytest.mark.asyncio


async def wait_for_end(run_id: int, timeout: float = 60) -> InvoiceRun:
    async with asyncio.timeout(timeout):
        while True:
            run = await InvoiceRun.get(id=run_id)
            if run.finished_at is not None:
                return run
            await asyncio.sleep(0.05)


async def wait_for_messages(smtp: MaildirSmtpServer, count: int, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while len(smtp.messages()) < count:
            await asyncio.sleep(0.1)


async def test_a_queued_run_is_billed_in_chunks_and_its_invoices_emailed(
    db: str, smtp_server: MaildirSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(
        auto_email=True,
        mailbox_host=smtp_server.host,
        mailbox_port=smtp_server.port,
        mailbox_from_address="billing@acme.example",
    )
    await add_clients_with_services(tenant, 25)
    monkeypatch.setattr(get_settings(), "run_chunk_size", 10)
    run = await start_invoice_run(
        tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
    )
    dramatiq.get_broker().flush_all()  # messages other tests queued with no worker running
    await start_embedded_workers(get_settings(), scheduler=False)
    try:
        enqueue_invoice_run(run.id)
        run = await wait_for_end(run.id)
        await wait_for_messages(smtp_server, 25)
    finally:
        await stop_embedded_workers()

    assert (run.status, run.invoices_issued, run.chunks_total) == (RunStatus.COMPLETED, 25, 3)
    assert run.amount_issued_cents == 25 * 2999
    assert await Invoice.filter(emailed_at__isnull=True).count() == 0
    subjects = sorted(str(message["Subject"]) for message in smtp_server.messages())
    assert "INV-000001" in subjects[0]


async def test_a_chunk_that_fails_on_every_retry_ends_the_run_with_its_clients_named(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant()
    await add_clients_with_services(tenant, 3)
    run = await start_invoice_run(
        tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
    )

    async def database_out_of_reach(chunk_id: int) -> None:
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(workers.runs, "bill_chunk", database_out_of_reach)
    monkeypatch.setitem(workers.runs.bill_run_chunk_job.options, "max_retries", 1)
    monkeypatch.setitem(workers.runs.bill_run_chunk_job.options, "min_backoff", 10)
    monkeypatch.setitem(workers.runs.bill_run_chunk_job.options, "max_backoff", 20)
    dramatiq.get_broker().flush_all()
    await start_embedded_workers(get_settings(), scheduler=False)
    try:
        enqueue_invoice_run(run.id)
        run = await wait_for_end(run.id)
    finally:
        await stop_embedded_workers()

    assert (run.status, run.invoices_issued, run.clients_processed) == (
        RunStatus.COMPLETED_WITH_ERRORS,
        0,
        3,
    )
    errors = await run.errors.all()
    assert len({e.client_id for e in errors}) == 3
    assert all("2 attempts failed" in e.message for e in errors)
