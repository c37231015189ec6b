"""External faults, SMTP: a mailbox that stalls (accepts the connection and says nothing, or greets
and then says nothing), refuses (421 for now, 554 for good) or drops the connection. Each try is
recorded; a transient failure is retried, a permanent one is not; retried until the mailbox
takes the message, each invoice is delivered exactly once.

A message that cannot be built (a line break in a name that reached the database) fails for
good: the email job records it and ends, never retried.

(tests/billing/test_email.py covers a mailbox that is down, refused recipients (550 and 450),
a wrong password; tests/workers/test_followups.py the worker retrying until the mailbox is up.)
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import date

import httpx
import pytest

import billing.delivery.email
from billing.delivery.attempts import EmailResult, EmailTrigger
from billing.delivery.email import TransientEmailError, email_invoice_automatically
from ispbox.config import Settings
from orm.models import Client, EmailAttempt, Invoice, Tenant
from tests.reliability.fault_servers import (
    PASS,
    SMTP_DROP,
    SMTP_GREET_AND_STALL,
    SMTP_REFUSE_421,
    SMTP_REFUSE_554,
    SMTP_STALL,
    SmtpFront,
    serving,
)
from tests.reliability.run_driver import FaultLog
from tests.support.builders import make_invoice, make_user
from tests.support.keys import TEST_SECRET_KEY
from tests.support.smtp import MaildirSmtpServer
from workers.delivery import email_invoice_job

pytestmark = pytest.mark.asyncio

SETTINGS = Settings(secret_key=TEST_SECRET_KEY, public_url="https://billing.example.test")
EMAIL = SETTINGS.email_settings()
TIMEOUT_SECONDS = 0.5
CHAOS_INVOICES = 20
MAX_TRIES = 30
TRANSIENT = [SMTP_STALL, SMTP_GREET_AND_STALL, SMTP_REFUSE_421, SMTP_DROP]


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stalled mailbox is given up on after half a second instead of thirty."""
    monkeypatch.setattr(billing.delivery.email, "SEND_TIMEOUT_SECONDS", TIMEOUT_SECONDS)


async def tenant_behind(front: SmtpFront) -> Tenant:
    return await Tenant.create(
        key="acme",
        name="Acme",
        mailbox_host="127.0.0.1",
        mailbox_port=front.port,
        mailbox_from_address="billing@acme.test",
    )


async def issued_invoice(tenant: Tenant, n: int = 1) -> Invoice:
    client = await Client.create(
        tenant=tenant, key=f"c-{n}", name=f"Client {n}", email=f"c{n}@example.test"
    )
    return await make_invoice(
        client, f"INV-{n:06}", issued_on=date(2026, 11, 20), total="49.99", auto_email=True
    )


def behaviours(*sequence: str) -> SmtpFront:
    """A front that behaves as listed, then passes everything through."""
    upcoming = itertools.chain(sequence, itertools.repeat(PASS))
    return SmtpFront(schedule=lambda: next(upcoming))


async def results_of(invoice: Invoice) -> list[tuple[EmailResult, bool]]:
    attempts = await EmailAttempt.filter(invoice_id=invoice.id).order_by("id")
    return [(attempt.result, attempt.permanent) for attempt in attempts]


@pytest.mark.parametrize("fault", TRANSIENT)
async def test_a_transient_mailbox_fault_is_recorded_and_the_retry_delivers_once(
    db: str, smtp_server: MaildirSmtpServer, fault: str
) -> None:
    front = behaviours(fault)
    front.upstream_port = smtp_server.port
    async with serving(front):
        invoice = await issued_invoice(await tenant_behind(front))
        async with asyncio.timeout(TIMEOUT_SECONDS * 10):
            with pytest.raises(TransientEmailError):
                await email_invoice_automatically(
                    tenant_id=invoice.tenant_id, invoice_id=invoice.id, settings=EMAIL
                )
        await invoice.refresh_from_db()
        assert invoice.emailed_at is None
        retried = await email_invoice_automatically(
            tenant_id=invoice.tenant_id, invoice_id=invoice.id, settings=EMAIL
        )

    assert retried.sent
    assert await results_of(invoice) == [(EmailResult.FAILED, False), (EmailResult.SENT, False)]
    assert len(smtp_server.messages()) == 1


async def test_a_mailbox_refusing_for_good_is_recorded_as_permanent_and_not_raised(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    front = behaviours(SMTP_REFUSE_554)
    front.upstream_port = smtp_server.port
    async with serving(front):
        invoice = await issued_invoice(await tenant_behind(front))
        outcome = await email_invoice_automatically(
            tenant_id=invoice.tenant_id, invoice_id=invoice.id, settings=EMAIL
        )

    assert not outcome.sent and outcome.permanent and "554" in (outcome.reason or "")
    assert await results_of(invoice) == [(EmailResult.FAILED, True)]
    assert smtp_server.messages() == []


async def test_the_email_job_ends_without_a_retry_when_the_message_cannot_be_built(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant = await Tenant.create(
        key="acme",
        name="Acme",
        mailbox_host="127.0.0.1",
        mailbox_port=smtp_server.port,
        mailbox_from_address="billing@acme.test",
    )
    invoice = await issued_invoice(tenant)
    await Client.filter(id=invoice.client_id).update(name="Client\r\nBcc: all@example.test")

    # The actor's own coroutine: whatever it raises, Dramatiq would retry.
    await email_invoice_job.fn.__wrapped__(tenant_id=tenant.id, invoice_id=invoice.id)

    assert await results_of(invoice) == [(EmailResult.FAILED, True)]
    assert smtp_server.messages() == []


@pytest.mark.parametrize("fault", [SMTP_STALL, SMTP_GREET_AND_STALL])
async def test_a_manual_send_to_a_stalled_mailbox_answers_in_time_and_is_recorded(
    db: str, api: httpx.AsyncClient, fault: str
) -> None:
    front = behaviours(fault)
    async with serving(front):
        invoice = await issued_invoice(await tenant_behind(front))
        editor = await make_user(await Tenant.get(id=invoice.tenant_id))
        async with asyncio.timeout(TIMEOUT_SECONDS * 10):
            response = await api.post(
                "/graphql",
                json={
                    "query": "mutation($id: ID!) { sendInvoice(input: {id: $id}) "
                    "{ invoice { emailedAt } errors { code message } } }",
                    "variables": {"id": str(invoice.id)},
                },
                headers=editor.headers,
            )

    payload = response.json()["data"]["sendInvoice"]
    assert [error["code"] for error in payload["errors"]] == ["MAILBOX_UNAVAILABLE"]
    attempts = await EmailAttempt.filter(invoice_id=invoice.id)
    assert [(a.trigger, a.result) for a in attempts] == [(EmailTrigger.MANUAL, EmailResult.FAILED)]


@pytest.mark.postgres_only  # the mailbox's faults, not the database, are under test
async def test_invoices_emailed_through_a_flaky_mailbox_arrive_exactly_once(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    faults = FaultLog("flaky mailbox")
    front = SmtpFront(schedule=lambda: faults.random.choice([*TRANSIENT, PASS, PASS]))
    front.upstream_port = smtp_server.port
    tries = 0
    async with serving(front):
        tenant = await tenant_behind(front)
        invoices = [await issued_invoice(tenant, n) for n in range(CHAOS_INVOICES)]
        for invoice in invoices:
            for _ in range(MAX_TRIES):
                tries += 1
                try:
                    outcome = await email_invoice_automatically(
                        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
                    )
                except TransientEmailError:
                    continue  # as the worker would, later
                assert outcome.sent, outcome
                break

    print(
        f"flaky mailbox (seed {faults.seed}): {CHAOS_INVOICES} invoices, {tries} tries, "
        f"{front.faults} faults injected: {dict(sorted(front.served.items()))}"
    )
    assert front.faults >= CHAOS_INVOICES // 2, "too few faults to mean anything"
    subjects = sorted(message["Subject"].split()[1] for message in smtp_server.messages())
    assert subjects == [invoice.number for invoice in invoices], "an email lost or doubled"
    assert await EmailAttempt.filter(result=EmailResult.SENT).count() == CHAOS_INVOICES
    assert await EmailAttempt.all().count() == tries, "a try left no record"
    assert not await Invoice.filter(emailed_at__isnull=True).exists()
