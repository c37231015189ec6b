"""Payments, reversals, refunds, credit applied and the client's statement, on both databases:
balances and statuses always follow the records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.credit_notes.issue import CreditNoteRequest, issue_credit_note
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.void import void_invoice
from billing.payments.balances import balances_due, credit_balances
from billing.payments.credit import apply_credit
from billing.payments.methods import PaymentMethod, PaymentStatus
from billing.payments.recording import PaymentRequest, record_payment
from billing.payments.refunds import RefundRequest, refund_payment
from billing.payments.reversal import reverse_payment
from billing.payments.statement import StatementEntryKind, client_statement
from orm.models import AuditEvent, Client, Invoice, Payment, PaymentAllocation
from tests.support.builders import add_line, make_invoice
from tests.support.factories import make_client, make_tenant

pytestmark = pytest.mark.asyncio

RECEIVED = date(2026, 11, 20)


async def a_client() -> Client:
    return await make_client(await make_tenant(timezone="Europe/Berlin"), "c-1")


async def invoice_of(client: Client, number: str, total: str, due: date) -> Invoice:
    invoice = await make_invoice(
        client, number, total=total, issued_on=due.replace(day=1), due_on=due
    )
    await add_line(invoice, unit_price=total)
    return invoice


async def pay(client: Client, amount: str, invoice_ids=None, key: str | None = None) -> Payment:
    return await record_payment(
        tenant_id=client.tenant_id,
        user_id=None,
        request=PaymentRequest(
            client_id=client.id,
            amount=Decimal(amount),
            received_on=RECEIVED,
            method=PaymentMethod.BANK_TRANSFER,
            reference="TRX 1",
            invoice_ids=invoice_ids,
        ),
        idempotency_key=key,
    )


async def state(*invoices: Invoice) -> list[tuple[InvoiceStatus, int]]:
    return [
        (fresh.status, fresh.balance_cents)
        for fresh in [await Invoice.get(id=invoice.id) for invoice in invoices]
    ]


async def credit_of(client: Client) -> int:
    return (await credit_balances([client.id])).get(client.id, 0)


async def test_money_goes_to_the_oldest_due_invoices_first_and_the_rest_is_credit(db: str) -> None:
    client = await a_client()
    later = await invoice_of(client, "INV-2", "30.00", date(2026, 11, 15))
    older = await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))

    payment = await pay(client, "100.00")

    assert await state(older, later) == [(InvoiceStatus.PAID, 0), (InvoiceStatus.PAID, 0)]
    assert (payment.amount_cents, payment.allocated_cents) == (10000, 8000)
    assert await credit_of(client) == 2000
    assert (await balances_due([client.id])).get(client.id, 0) == 0


async def test_named_invoices_take_the_money_in_the_order_given(db: str) -> None:
    client = await a_client()
    older = await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))
    later = await invoice_of(client, "INV-2", "30.00", date(2026, 11, 15))

    await pay(client, "40.00", invoice_ids=(later.id, older.id))

    assert await state(later, older) == [(InvoiceStatus.PAID, 0), (InvoiceStatus.PARTIAL, 4000)]
    assert await credit_of(client) == 0


@pytest.mark.parametrize("status", [InvoiceStatus.DRAFT, InvoiceStatus.VOID, InvoiceStatus.PAID])
async def test_a_named_invoice_that_takes_no_payment_refuses_it_and_nothing_is_recorded(
    db: str, status: InvoiceStatus
) -> None:
    client = await a_client()
    invoice = await make_invoice(client, "INV-1", status=status)

    with pytest.raises(BillingRuleError) as refusal:
        await pay(client, "10.00", invoice_ids=(invoice.id,))

    assert (refusal.value.code, refusal.value.field) == (ErrorCode.NOT_PAYABLE, "invoiceIds")
    assert await Payment.all().count() == 0


async def test_another_clients_invoice_is_not_found(db: str) -> None:
    client = await a_client()
    other = await make_client(await client.tenant, "c-2")
    theirs = await invoice_of(other, "INV-9", "10.00", date(2026, 11, 1))

    with pytest.raises(BillingRuleError) as refusal:
        await pay(client, "10.00", invoice_ids=(theirs.id,))

    assert refusal.value.code == ErrorCode.NOT_FOUND
    assert await state(theirs) == [(InvoiceStatus.UNPAID, 1000)]


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        ("0", None, ErrorCode.INVALID_INPUT),
        ("-5", None, ErrorCode.INVALID_INPUT),
        ("1.001", None, ErrorCode.INVALID_INPUT),
        ("10", "EUR", ErrorCode.CURRENCY_MISMATCH),
    ],
)
async def test_bad_amounts_are_refused(db: str, amount: str, currency: str | None, code) -> None:
    client = await a_client()
    with pytest.raises(BillingRuleError) as refusal:
        await record_payment(
            tenant_id=client.tenant_id,
            user_id=None,
            request=PaymentRequest(
                client.id, Decimal(amount), RECEIVED, PaymentMethod.CASH, currency=currency
            ),
        )
    assert refusal.value.code == code
    assert await Payment.all().count() == 0


async def test_a_repeated_key_records_the_payment_once(db: str) -> None:
    client = await a_client()
    await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))

    first = await pay(client, "20.00", key="pay-1")
    again = await pay(client, "20.00", key="pay-1")

    assert first.id == again.id
    assert await Payment.all().count() == 1
    with pytest.raises(BillingRuleError) as conflict:
        await pay(client, "25.00", key="pay-1")
    assert conflict.value.code == ErrorCode.IDEMPOTENCY_CONFLICT


async def test_a_reversal_reopens_the_invoices_and_is_refused_twice(db: str) -> None:
    client = await a_client()
    invoice = await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))
    payment = await pay(client, "60.00")

    reversed_ = await reverse_payment(
        tenant_id=client.tenant_id, user_id=None, payment_id=payment.id, reason="Bounced"
    )

    assert reversed_.status == PaymentStatus.REVERSED
    assert await state(invoice) == [(InvoiceStatus.UNPAID, 5000)]
    assert await PaymentAllocation.all().count() == 0
    assert await credit_of(client) == 0
    assert await AuditEvent.filter(action="reversal").count() == 1
    with pytest.raises(BillingRuleError) as again:
        await reverse_payment(
            tenant_id=client.tenant_id, user_id=None, payment_id=payment.id, reason="Bounced"
        )
    assert again.value.code == ErrorCode.ALREADY_REVERSED


async def test_refunds_come_only_out_of_the_unallocated_part(db: str) -> None:
    client = await a_client()
    await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))
    payment = await pay(client, "80.00")

    with pytest.raises(BillingRuleError) as refusal:
        await refund_payment(
            tenant_id=client.tenant_id,
            user_id=None,
            request=RefundRequest(payment.id, Decimal("30.01")),
        )
    assert refusal.value.code == ErrorCode.REFUND_EXCEEDS_UNALLOCATED

    refunded = await refund_payment(
        tenant_id=client.tenant_id, user_id=None, request=RefundRequest(payment.id, Decimal("30"))
    )
    assert refunded.refunded_cents == 3000
    assert await credit_of(client) == 0


async def test_credit_notes_settled_as_credit_are_applied_to_open_invoices(db: str) -> None:
    client = await a_client()
    paid = await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))
    await pay(client, "50.00")
    await issue_credit_note(
        tenant_id=client.tenant_id,
        user_id=None,
        request=CreditNoteRequest(
            invoice_id=paid.id, reason="Outage", settlement=CreditNoteSettlement.CREDIT
        ),
    )
    assert await credit_of(client) == 5000
    later = await invoice_of(client, "INV-2", "30.00", date(2026, 11, 15))

    await apply_credit(tenant_id=client.tenant_id, user_id=None, client_id=client.id)

    assert await state(later) == [(InvoiceStatus.PAID, 0)]
    assert await credit_of(client) == 2000


async def test_an_invoice_with_credit_applied_is_not_voided(db: str) -> None:
    client = await a_client()
    await pay(client, "10.00")
    invoice = await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))
    await apply_credit(tenant_id=client.tenant_id, user_id=None, client_id=client.id)

    with pytest.raises(BillingRuleError) as refusal:
        await void_invoice(
            tenant_id=client.tenant_id,
            user_id=None,
            invoice_id=invoice.id,
            reset_service_schedule=False,
            reason=None,
        )
    assert refusal.value.code == ErrorCode.NOT_VOIDABLE
    assert await state(invoice) == [(InvoiceStatus.PARTIAL, 4000)]


async def test_the_statement_closes_at_balance_due_less_credit(db: str) -> None:
    client = await a_client()
    first = await invoice_of(client, "INV-1", "50.00", date(2026, 10, 15))
    await invoice_of(client, "INV-2", "30.00", date(2026, 11, 15))
    bounced = await pay(client, "20.00", invoice_ids=(first.id,))
    await reverse_payment(
        tenant_id=client.tenant_id,
        user_id=None,
        payment_id=bounced.id,
        reason="Bounced",
        today=date(2026, 11, 22),
    )
    over = await pay(client, "100.00")
    await refund_payment(
        tenant_id=client.tenant_id,
        user_id=None,
        request=RefundRequest(over.id, Decimal("5")),
        today=date(2026, 11, 23),
    )

    whole = await client_statement(client.tenant_id, client.id)
    due = (await balances_due([client.id])).get(client.id, 0)
    assert whole.closing == due - await credit_of(client) == -1500
    assert [line.entry.kind for line in whole.lines] == [
        StatementEntryKind.INVOICE,
        StatementEntryKind.INVOICE,
        StatementEntryKind.PAYMENT,
        StatementEntryKind.PAYMENT,
        StatementEntryKind.REVERSAL,
        StatementEntryKind.REFUND,
    ]
    later = await client_statement(client.tenant_id, client.id, start=date(2026, 11, 21))
    assert later.opening == 5000 + 3000 - 2000 - 10000
    assert later.closing == whole.closing
