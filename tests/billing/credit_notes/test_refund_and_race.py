"""Refunds through Stripe (a local Stripe), and two credit notes racing on one invoice."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from billing.credit_notes.issue import CreditNoteRequest, LineAmount, issue_credit_note
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from orm.models import CreditNote, Invoice, Payment, PaymentAllocation, Tenant
from tests.billing.credit_notes.support import taxed_invoice
from tests.support.builders import make_client, make_tenant
from tests.support.stripe_server import CARD_SUCCEEDS, LocalStripe, customer_with_card

pytestmark = pytest.mark.asyncio


async def paid_by_card(invoice: Invoice, intent_id: str) -> None:
    payment = await Payment.create(
        tenant_id=invoice.tenant_id,
        client_id=invoice.client_id,
        amount_cents=invoice.total_cents,
        currency=invoice.currency,
        paid_on=date(2026, 11, 5),
        method="card",
        stripe_payment_intent_id=intent_id,
        allocated_cents=invoice.total_cents,
    )
    await PaymentAllocation.create(
        tenant_id=invoice.tenant_id,
        payment=payment,
        invoice=invoice,
        amount_cents=invoice.total_cents,
    )
    invoice.balance_cents = 0
    invoice.status = InvoiceStatus.PAID
    await invoice.save()


async def card_intent(local_stripe: LocalStripe, amount: int) -> str:
    stripe = local_stripe.client()
    customer_id, method_id = await customer_with_card(stripe, CARD_SUCCEEDS)
    intent = await stripe.v1.payment_intents.create_async(
        {
            "amount": amount,
            "currency": "usd",
            "customer": customer_id,
            "payment_method": method_id,
            "off_session": True,
            "confirm": True,
        }
    )
    return intent.id


def refund_request(invoice: Invoice) -> CreditNoteRequest:
    return CreditNoteRequest(
        invoice_id=invoice.id, reason="Cancelled", settlement=CreditNoteSettlement.REFUND
    )


async def a_paid_invoice() -> Invoice:
    client = await make_client(await make_tenant(), "c-1")
    return await taxed_invoice(client, [("Fiber 100", "100.00", "20")])


async def test_a_card_payment_is_refunded_through_stripe(
    db: str, local_stripe: LocalStripe
) -> None:
    invoice = await a_paid_invoice()
    await paid_by_card(invoice, await card_intent(local_stripe, invoice.total_cents))

    note = await issue_credit_note(
        tenant_id=invoice.tenant_id,
        user_id=None,
        request=refund_request(invoice),
        stripe_client=local_stripe.client(),
    )

    refund = await local_stripe.client().v1.refunds.retrieve_async(note.stripe_refund_id)
    assert (refund.amount, refund.status) == (12000, "succeeded")
    assert (await Invoice.get(id=invoice.id)).credited_cents == 12000


async def test_a_refund_stripe_refuses_records_nothing(db: str, local_stripe: LocalStripe) -> None:
    invoice = await a_paid_invoice()
    await paid_by_card(invoice, "pi_unknown_to_stripe")

    with pytest.raises(BillingRuleError) as refusal:
        await issue_credit_note(
            tenant_id=invoice.tenant_id,
            user_id=None,
            request=refund_request(invoice),
            stripe_client=local_stripe.client(),
        )

    assert refusal.value.code == ErrorCode.PAYMENT_PROVIDER_ERROR
    assert await CreditNote.all().count() == 0
    assert (await Invoice.get(id=invoice.id)).credited_cents == 0
    assert (await Tenant.get(id=invoice.tenant_id)).credit_note_sequence == 0


@pytest.mark.postgres_only
async def test_two_credit_notes_racing_on_one_invoice_never_over_credit(db: str) -> None:
    invoice = await a_paid_invoice()
    line = await invoice.lines.all().first()

    outcomes = await asyncio.gather(
        *(
            issue_credit_note(
                tenant_id=invoice.tenant_id,
                user_id=None,
                request=CreditNoteRequest(
                    invoice_id=invoice.id,
                    reason="Outage",
                    lines=(LineAmount(line.id, Decimal("60.00")),),
                    settlement=CreditNoteSettlement.CREDIT,
                ),
            )
            for _ in range(3)
        ),
        return_exceptions=True,
    )

    issued = [o for o in outcomes if isinstance(o, CreditNote)]
    refused = [o for o in outcomes if isinstance(o, BillingRuleError)]
    assert len(issued) == 1 and len(refused) == 2, outcomes
    assert {r.code for r in refused} == {ErrorCode.CREDIT_EXCEEDS_INVOICE}
    invoice = await Invoice.get(id=invoice.id)
    assert invoice.credited_cents == 7200
    assert sorted(await CreditNote.all().values_list("number", flat=True)) == ["CN-000001"]
