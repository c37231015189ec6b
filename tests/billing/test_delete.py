"""Deleting an invoice: development only, and what goes with it."""

from datetime import date

import pytest

from billing.audit.actions import AuditAction
from billing.clients.eligibility import ChargeStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.delete import delete_invoice
from orm.models import (
    AuditEvent,
    Charge,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    Payment,
    PaymentAllocation,
)
from tests.support.factories import make_charge, make_client, make_service, make_tenant
from tests.support.runs import run_invoices

pytestmark = pytest.mark.asyncio


async def issued_invoice_with_payment() -> Invoice:
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    await make_service(client)
    await make_charge(client)
    await run_invoices(tenant, date(2026, 11, 20))
    invoice = await Invoice.get(client=client)
    payment = await Payment.create(
        tenant=tenant,
        client=client,
        amount_cents=1000,
        currency="USD",
        paid_on=date(2026, 11, 21),
        method="cash",
    )
    await PaymentAllocation.create(
        tenant=tenant, payment=payment, invoice=invoice, amount_cents=1000
    )
    return invoice


async def test_delete_removes_the_invoice_and_its_records_and_frees_its_charges(db: str) -> None:
    invoice = await issued_invoice_with_payment()

    deleted = await delete_invoice(
        tenant_id=invoice.tenant_id, user_id=None, invoice_id=invoice.id, development=True
    )

    assert deleted == invoice.id
    assert not await Invoice.exists()
    assert not await InvoiceLine.exists()
    assert not await PaymentAllocation.exists() and not await Payment.exists()
    charge = await Charge.get()
    assert (charge.status, charge.invoice_id) == (ChargeStatus.PENDING, None)
    assert await AuditEvent.filter(action=AuditAction.DELETE, invoice_id=invoice.id).exists()


async def test_delete_outside_development_is_refused_and_changes_nothing(db: str) -> None:
    invoice = await issued_invoice_with_payment()

    with pytest.raises(BillingRuleError) as refused:
        await delete_invoice(
            tenant_id=invoice.tenant_id, user_id=None, invoice_id=invoice.id, development=False
        )

    assert refused.value.code == ErrorCode.DEV_ONLY
    assert await Invoice.exists() and await PaymentAllocation.exists()


async def test_another_tenants_invoice_cannot_be_deleted(db: str) -> None:
    invoice = await issued_invoice_with_payment()
    other = await make_tenant("other")

    with pytest.raises(BillingRuleError) as refused:
        await delete_invoice(
            tenant_id=other.id, user_id=None, invoice_id=invoice.id, development=True
        )

    assert refused.value.code == ErrorCode.NOT_FOUND
    assert await Invoice.exists()


async def test_deleting_a_run_invoice_takes_it_off_the_runs_counts(db: str) -> None:
    tenant = await make_tenant()
    kept = await make_client(tenant, "c-1")
    await make_service(kept, price="10.00")
    deleted = await make_client(tenant, "c-2")
    await make_service(deleted, price="49.99")
    run = await run_invoices(tenant, date(2026, 11, 20))
    invoice = await Invoice.get(client=deleted)

    await delete_invoice(tenant_id=tenant.id, user_id=None, invoice_id=invoice.id, development=True)

    run = await InvoiceRun.get(id=run.id)
    assert (run.invoices_issued, run.amount_issued_cents) == (1, 1000)
