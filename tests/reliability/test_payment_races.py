"""Concurrency on PostgreSQL, real concurrent transactions: a void racing a payment of the same
invoice, and a void racing a Stripe charge of it. Never both: a void invoice never has money
allocated, never was charged. Each trial starts the two at seeded random offsets, and each side
holds the invoice's row lock a while after reading it, so that without the lock both would read
the invoice unpaid.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from tortoise.transactions import in_transaction

import billing.invoices.void
from billing.delivery.attempts import ChargeAttemptStatus
from billing.delivery.charging import ChargeResult, charge_invoice
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus, takes_payment
from billing.invoices.void import void_invoice
from billing.money import to_minor_units
from billing.payments.locks import lock_invoice
from billing.payments.methods import PaymentMethod
from billing.payments.recording import record_payment_in
from orm.models import ChargeAttempt, Client, Invoice, Payment, PaymentAllocation, Tenant
from tests.reliability.run_driver import FaultLog
from tests.support.builders import make_invoice
from tests.support.factories import make_client
from tests.support.stripe_server import LocalStripe, save_card

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

PAYMENT_TRIALS = 40
CHARGE_TRIALS = 12
TOTAL = "50.00"
TOTAL_CENTS = to_minor_units(TOTAL, "USD")
ISSUED_ON = date(2026, 11, 20)
HOLD_SECONDS = 0.03
MAX_OFFSET_SECONDS = 0.03


@pytest.fixture
def slow_void(monkeypatch: pytest.MonkeyPatch) -> None:
    """The void holds the invoice's row lock a while between reading and writing."""
    check = billing.invoices.void.has_charge_in_flight

    async def held(invoice_id: int, conn: Any) -> bool:
        await asyncio.sleep(HOLD_SECONDS)
        return await check(invoice_id, conn)

    monkeypatch.setattr(billing.invoices.void, "has_charge_in_flight", held)


async def unpaid_invoice(tenant: Tenant, n: int, client: Client | None = None) -> Invoice:
    client = client or await Client.create(tenant=tenant, key=f"c-{n}", name=f"Client {n}")
    return await make_invoice(client, f"INV-{n:06}", issued_on=ISSUED_ON, total=TOTAL)


async def void(invoice: Invoice) -> str:
    """ "void" when it voided, else the refusal's code."""
    try:
        await void_invoice(
            tenant_id=invoice.tenant_id,
            user_id=None,
            invoice_id=invoice.id,
            reset_service_schedule=False,
            reason="race",
        )
    except BillingRuleError as refusal:
        return refusal.code.value
    return "void"


async def pay(invoice: Invoice, amount_cents: int) -> int:
    """A payment recorded against the invoice, holding its row lock a while; returns the cents
    the invoice took."""
    async with in_transaction() as conn:
        locked = await lock_invoice(tenant_id=invoice.tenant_id, invoice_id=invoice.id, conn=conn)
        assert locked is not None
        await asyncio.sleep(HOLD_SECONDS)
        # As a card charge records it: the money was received whatever the invoice is now.
        payable = takes_payment(locked.status, locked.balance_cents)
        payment = await record_payment_in(
            conn,
            tenant=await Tenant.get(id=locked.tenant_id).using_db(conn),
            client_id=locked.client_id,
            amount_cents=amount_cents,
            received_on=date(2026, 11, 21),
            method=PaymentMethod.CASH,
            reference=None,
            invoice_ids=[locked.id] if payable else [],
            user_id=None,
        )
    return payment.allocated_cents


async def after(seconds: float, action: Callable[[], Awaitable[Any]]) -> Any:
    await asyncio.sleep(seconds)
    return await action()


async def race_voids_and_payments(faults: FaultLog) -> Counter[str]:
    tenant = await Tenant.create(key="acme", name="Acme")
    outcomes: Counter[str] = Counter()
    for n in range(PAYMENT_TRIALS):
        invoice = await unpaid_invoice(tenant, n)
        amount = faults.random.choice([TOTAL_CENTS, TOTAL_CENTS // 2])
        void_at, pay_at = (faults.random.uniform(0, MAX_OFFSET_SECONDS) for _ in range(2))
        voided, allocated = await asyncio.gather(
            after(void_at, lambda invoice=invoice: void(invoice)),
            after(pay_at, lambda invoice=invoice, amount=amount: pay(invoice, amount)),
        )
        faults.record(f"void at +{void_at * 1000:.0f} ms, payment at +{pay_at * 1000:.0f} ms")
        await invoice.refresh_from_db()
        allocations = await PaymentAllocation.filter(invoice_id=invoice.id).count()
        assert not (invoice.status == InvoiceStatus.VOID and allocations), "voided and paid"
        if voided == "void":
            assert (invoice.status, invoice.balance_cents, allocated) == (InvoiceStatus.VOID, 0, 0)
            outcomes["void first: the payment is kept as the client's credit"] += 1
        else:
            assert voided in (ErrorCode.NOT_VOIDABLE, ErrorCode.HAS_ALLOCATIONS), voided
            assert allocated == amount and allocations == 1
            assert invoice.balance_cents == TOTAL_CENTS - amount
            outcomes["payment first: the void is refused"] += 1
    assert await Payment.all().count() == PAYMENT_TRIALS, "a received payment was not recorded"
    return outcomes


async def test_a_void_racing_a_payment_never_both_succeed(db: str, slow_void: None) -> None:
    faults = FaultLog("void racing a payment", "trials")
    outcomes = await race_voids_and_payments(faults)
    print(f"{faults.summary()}: {dict(outcomes)}")
    assert len(outcomes) == 2, "the race went one way only"


async def test_without_the_row_lock_the_same_race_is_caught(
    db: str, slow_void: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: a void that reads the invoice without locking it loses the
    race, and the same trials catch it."""

    async def unlocked(*, tenant_id: int, invoice_id: int, conn: Any) -> Invoice | None:
        return await Invoice.filter(id=invoice_id, tenant_id=tenant_id).using_db(conn).first()

    monkeypatch.setattr(billing.invoices.void, "lock_invoice", unlocked)
    with pytest.raises(AssertionError, match="voided and paid"):
        await race_voids_and_payments(FaultLog("void without the row lock", "trials"))


async def test_a_void_racing_a_stripe_charge_never_both_succeed(
    db: str, slow_void: None, local_stripe: LocalStripe
) -> None:
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("void racing a Stripe charge", "trials")
    outcomes: Counter[str] = Counter()
    for n in range(CHARGE_TRIALS):
        client = await make_client(tenant, f"c-{n}", name=f"Client {n}", email=None)
        customer = await save_card(local_stripe, client)
        invoice = await unpaid_invoice(tenant, n, client)
        void_at, charge_at = (faults.random.uniform(0, MAX_OFFSET_SECONDS) for _ in range(2))
        voided, charged = await asyncio.gather(
            after(void_at, lambda invoice=invoice: void(invoice)),
            after(
                charge_at,
                lambda invoice=invoice: charge_invoice(
                    tenant_id=tenant.id, invoice_id=invoice.id, client=local_stripe.client()
                ),
            ),
        )
        faults.record(f"void at +{void_at * 1000:.0f} ms, charge at +{charge_at * 1000:.0f} ms")
        await invoice.refresh_from_db()
        intents = await local_stripe.intents_of_customer(customer)
        succeeded = await ChargeAttempt.filter(
            invoice_id=invoice.id, status=ChargeAttemptStatus.SUCCEEDED
        ).count()
        if voided == "void":
            assert charged.result == ChargeResult.SKIPPED, charged
            assert (invoice.status, intents, succeeded) == (InvoiceStatus.VOID, [], 0)
            outcomes["void first: nothing is charged"] += 1
        else:
            assert voided == ErrorCode.NOT_VOIDABLE and charged.result == ChargeResult.SUCCEEDED
            assert (invoice.status, len(intents), succeeded) == (InvoiceStatus.PAID, 1, 1)
            outcomes["charge first: the void is refused"] += 1
    print(f"{faults.summary()}: {dict(outcomes)}")
    assert len(outcomes) == 2, "the race went one way only"
