"""The email job's word to the run: invoices a run was to email and could not are in its errors
and its count of email failures, once each."""

from datetime import date

import pytest

from billing.runs.lifecycle import RunErrorStage
from orm.models import Invoice, InvoiceRun, RunError
from tests.support.factories import make_client, make_service, make_tenant
from tests.support.runs import run_invoices
from workers.delivery import email_given_up_job, email_invoice_job

pytestmark = pytest.mark.asyncio

# The actors' own coroutines, run on the test's loop (no worker).
email_invoice = email_invoice_job.fn.__wrapped__
email_given_up = email_given_up_job.fn.__wrapped__


async def emailing_tenant_run():
    tenant = await make_tenant(
        auto_email=True,
        mailbox_host="127.0.0.1",
        mailbox_port=2525,
        mailbox_from_address="billing@acme.example",
    )
    without_address = await make_client(tenant, "c-1", email=None, name="No Address Ltd")
    await make_service(without_address)
    run = await run_invoices(tenant, date(2026, 11, 20))
    return tenant, without_address, run


async def test_an_invoice_to_a_client_without_an_address_is_a_run_error_and_counted(
    db: str,
) -> None:
    tenant, client, run = await emailing_tenant_run()
    invoice = await Invoice.get(client=client)

    await email_invoice(tenant.id, invoice.id)
    await email_invoice(tenant.id, invoice.id)  # a redelivered job

    run = await InvoiceRun.get(id=run.id)
    assert run.email_failures == 1
    errors = await RunError.filter(run_id=run.id)
    assert [(e.stage, e.client_id) for e in errors] == [(RunErrorStage.RUNTIME, client.id)]
    assert errors[0].message == (
        f"invoice {invoice.number} was not emailed: The client {client.name} has no email address."
    )


async def test_an_invoice_whose_mailbox_stayed_out_of_reach_is_a_run_error(db: str) -> None:
    tenant, client, run = await emailing_tenant_run()
    invoice = await Invoice.get(client=client)

    await email_given_up(
        {"args": [tenant.id, invoice.id], "kwargs": {}}, {"retries": 8, "max_retries": 8}
    )

    run = await InvoiceRun.get(id=run.id)
    assert run.email_failures == 1
    assert "9 attempts" in (await RunError.get(run_id=run.id)).message
