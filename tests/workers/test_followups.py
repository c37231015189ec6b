"""After a run: invoices emailed (retried while the mailbox is down) and charged as the tenant's
settings say, by the embedded workers."""

import asyncio
from datetime import date
from pathlib import Path

import pytest

from billing.delivery.attempts import ChargeAttemptStatus, EmailResult
from billing.invoices.lifecycle import InvoiceStatus
from billing.runs.planning import start_invoice_run
from ispbox.config import get_settings
from orm.models import ChargeAttempt, EmailAttempt, Invoice, InvoiceRun, Tenant
from tests.support.factories import make_client, make_service, make_tenant
from tests.support.services import free_port, stop_process
from tests.support.smtp import SMTP_HOST, MaildirSmtpServer, start_maildir_server
from tests.support.stripe_server import TEST_API_KEY, LocalStripe, save_card
from workers.runs import NO_STRIPE_KEY_NOTICE, enqueue_invoice_run

pytestmark = pytest.mark.asyncio


async def run_and_wait(tenant: Tenant) -> InvoiceRun:
    run = await start_invoice_run(
        tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
    )
    enqueue_invoice_run(run.id)
    async with asyncio.timeout(30):
        while (run := await InvoiceRun.get(id=run.id)).finished_at is None:
            await asyncio.sleep(0.05)
    return run


async def test_an_email_that_failed_while_the_mailbox_was_down_is_retried_and_sent(
    embedded_workers: None, tmp_path: Path
) -> None:
    port = free_port()
    tenant = await make_tenant(
        auto_email=True,
        mailbox_host=SMTP_HOST,
        mailbox_port=port,
        mailbox_from_address="billing@acme.example",
    )
    await make_service(await make_client(tenant, "c-1"))

    await run_and_wait(tenant)
    async with asyncio.timeout(15):
        while not await EmailAttempt.exists():
            await asyncio.sleep(0.1)
    maildir = tmp_path / "maildir"
    # The mailbox comes up only now, after the first attempt failed.
    server = start_maildir_server(port, maildir, tmp_path / "smtp.log")
    try:
        async with asyncio.timeout(40):
            while (await Invoice.get()).emailed_at is None:
                await asyncio.sleep(0.2)
    finally:
        stop_process(server)

    results = await EmailAttempt.all().order_by("id").values_list("result", flat=True)
    assert results[0] == EmailResult.FAILED and results[-1] == EmailResult.SENT
    assert len(MaildirSmtpServer(SMTP_HOST, port, maildir).messages()) == 1


async def test_auto_charge_pays_the_issued_invoice_through_stripe(
    embedded_workers: None, local_stripe: LocalStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "stripe_api_key", TEST_API_KEY)
    monkeypatch.setattr(get_settings(), "stripe_api_base", local_stripe.base_url)
    tenant = await make_tenant(auto_charge=True)
    client = await make_client(tenant, "c-1")
    customer_id = await save_card(local_stripe, client)
    await make_service(client)

    run = await run_and_wait(tenant)
    async with asyncio.timeout(20):
        while (invoice := await Invoice.get()).status != InvoiceStatus.PAID:
            await asyncio.sleep(0.1)

    assert run.notice is None and invoice.balance_cents == 0
    attempt = await ChargeAttempt.get()
    assert attempt.status == ChargeAttemptStatus.SUCCEEDED
    assert len(await local_stripe.intents_of_customer(customer_id)) == 1


async def test_without_a_stripe_key_nothing_is_charged_and_the_run_says_so(
    embedded_workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "stripe_api_key", None)
    tenant = await make_tenant(auto_charge=True)
    await make_service(await make_client(tenant, "c-1"))

    run = await run_and_wait(tenant)
    await asyncio.sleep(0.5)

    assert run.notice == NO_STRIPE_KEY_NOTICE
    assert not await ChargeAttempt.exists()
    assert (await Invoice.get()).status == InvoiceStatus.UNPAID
