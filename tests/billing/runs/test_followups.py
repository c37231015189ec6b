"""The follow-ups' queries pick exactly the invoices the lifecycle lets the jobs email or charge."""

from __future__ import annotations

import itertools

import pytest

from billing.invoices.lifecycle import InvoiceStatus, auto_charge_refusal, auto_email_refusal
from billing.runs.followups import followups_for_run
from orm.models import Invoice
from tests.support.builders import make_client, make_invoice, make_run, make_tenant

pytestmark = pytest.mark.asyncio

# (total, balance) in dollars: owed in full, partly paid, settled, zero total.
AMOUNTS = [("100.00", "100.00"), ("100.00", "40.00"), ("100.00", "0"), ("0", "0")]


async def test_followups_email_and_charge_what_the_lifecycle_allows(db: str) -> None:
    tenant = await make_tenant(auto_charge=True)
    run = await make_run(tenant)
    invoices = []
    cases = itertools.product(InvoiceStatus, AMOUNTS, (False, True), (False, True))
    for n, (status, (total, balance), auto_email, emailed) in enumerate(cases):
        # One invoice per client and run.
        client = await make_client(tenant, f"c{n}")
        invoice = await make_invoice(
            client, f"INV-{n:06d}", status=status, total=total, balance=balance, run=run,
            emailed=emailed,
        )  # fmt: skip
        await Invoice.filter(id=invoice.id).update(auto_email=auto_email)
        invoices.append(await Invoice.get(id=invoice.id))

    followups = await followups_for_run(tenant, run.id, charging_enabled=True)

    emailed_by_rule = {
        invoice.id
        for invoice in invoices
        if auto_email_refusal(
            invoice.status,
            total_cents=invoice.total_cents,
            auto_email=invoice.auto_email,
            emailed_at=invoice.emailed_at,
        )
        is None
    }
    charged_by_rule = {
        invoice.id
        for invoice in invoices
        if auto_charge_refusal(invoice.status, balance_cents=invoice.balance_cents) is None
    }
    assert set(followups.email_invoice_ids) == emailed_by_rule
    assert set(followups.charge_invoice_ids) == charged_by_rule
    assert emailed_by_rule and charged_by_rule
