"""Concurrency of the receivables on PostgreSQL, real concurrent transactions on one client: two
payments, a payment racing a void, a payment racing a credit note, a refund racing credit
applied, two credit applications, a reversal racing a refund. Whatever order the locks give,
nothing is over-allocated and every balance agrees with the records (tests/support/receivables).

Each side holds its row locks a while after taking them, so that without the one lock order
both would act on what each read before the other; the trials start the two at seeded random
offsets.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import billing.credit_notes.issue
import billing.invoices.void
import billing.payments.credit
import billing.payments.locks
import billing.payments.recording
import billing.payments.refunds
import billing.payments.reversal
from billing.credit_notes.issue import CreditNoteRequest, issue_credit_note
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.void import void_invoice
from billing.payments.credit import apply_credit
from billing.payments.methods import PaymentMethod
from billing.payments.recording import PaymentRequest, record_payment
from billing.payments.refunds import RefundRequest, refund_payment
from billing.payments.reversal import reverse_payment
from orm.models import Client, Invoice, Payment, PaymentAllocation, Tenant
from tests.reliability.run_driver import FaultLog
from tests.support.builders import add_line, make_invoice
from tests.support.receivables import assert_ledger_agrees, client_figures

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

TRIALS = 16
HOLD_SECONDS = 0.03
MAX_OFFSET_SECONDS = 0.03
RECEIVED_ON = date(2026, 11, 20)
TODAY = date(2026, 11, 24)

# Every place a receivables change takes its row locks, by module and name.
LOCKERS = [
    (billing.payments.recording, "lock_client"),
    (billing.payments.credit, "lock_client"),
    (billing.payments.refunds, "lock_client"),
    (billing.payments.reversal, "lock_client"),
    (billing.invoices.void, "lock_invoice"),
    (billing.credit_notes.issue, "lock_invoice"),
]


@pytest.fixture
def slow_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each change holds its first row lock a while before it reads on and writes."""
    for module, name in LOCKERS:
        original = getattr(module, name)

        async def held(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            locked = await _original(*args, **kwargs)
            await asyncio.sleep(HOLD_SECONDS)
            return locked

        monkeypatch.setattr(module, name, held)


async def after(seconds: float, action: Callable[[], Awaitable[Any]]) -> Any:
    await asyncio.sleep(seconds)
    return await action()


async def outcome(action: Awaitable[Any]) -> str:
    """ "done", or the refusal's code."""
    try:
        await action
    except BillingRuleError as refusal:
        return refusal.code.value
    return "done"


async def race(
    faults: FaultLog, first: Callable[[], Awaitable[Any]], second: Callable[[], Awaitable[Any]]
) -> tuple[str, str]:
    at = [faults.random.uniform(0, MAX_OFFSET_SECONDS) for _ in range(2)]
    faults.record(f"first at +{at[0] * 1000:.0f} ms, second at +{at[1] * 1000:.0f} ms")
    done = await asyncio.gather(
        after(at[0], lambda: outcome(first())), after(at[1], lambda: outcome(second()))
    )
    return done[0], done[1]


async def a_client(tenant: Tenant, n: int) -> Client:
    return await Client.create(tenant=tenant, key=f"c-{n}", name=f"Client {n}")


async def an_invoice(client: Client, number: str, total: str, due_day: int = 15) -> Invoice:
    invoice = await make_invoice(
        client, number, total=total, issued_on=date(2026, 10, 1), due_on=date(2026, 10, due_day)
    )
    await add_line(invoice, unit_price=total)
    return invoice


def payment_of(
    client: Client, amount: str, invoice_ids: tuple[int, ...] | None = None
) -> Callable[[], Awaitable[Payment]]:
    request = PaymentRequest(
        client.id,
        Decimal(amount),
        RECEIVED_ON,
        PaymentMethod.BANK_TRANSFER,
        reference="race",
        invoice_ids=invoice_ids,
    )
    return lambda: record_payment(tenant_id=client.tenant_id, user_id=None, request=request)


def credit_applied(client: Client) -> Callable[[], Awaitable[Client]]:
    return lambda: apply_credit(
        tenant_id=client.tenant_id, user_id=None, client_id=client.id, today=TODAY
    )


def refund_of(payment: Payment, amount: str) -> Callable[[], Awaitable[Payment]]:
    request = RefundRequest(payment.id, Decimal(amount))
    return lambda: refund_payment(
        tenant_id=payment.tenant_id, user_id=None, request=request, today=TODAY
    )


async def allocated_to(invoice: Invoice) -> int:
    return sum(
        await PaymentAllocation.filter(invoice_id=invoice.id).values_list("amount_cents", flat=True)
    )


async def test_two_payments_of_one_client_never_over_allocate(db: str, slow_locks: None) -> None:
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("two payments of one client", "trials")
    for n in range(TRIALS):
        client = await a_client(tenant, n)
        older = await an_invoice(client, f"A-{n}", "50.00", due_day=10)
        later = await an_invoice(client, f"B-{n}", "30.00", due_day=20)

        outcomes = await race(faults, payment_of(client, "60.00"), payment_of(client, "60.00"))

        assert outcomes == ("done", "done")
        assert (await allocated_to(older), await allocated_to(later)) == (5000, 3000)
        assert await client_figures(client.id) == (0, 4000)
        await assert_ledger_agrees([client])
    print(faults.summary())


async def test_a_payment_racing_a_void_is_never_allocated_to_a_void_invoice(
    db: str, slow_locks: None
) -> None:
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("a payment racing a void", "trials")
    seen: Counter[tuple[str, str]] = Counter()
    for n in range(TRIALS):
        client = await a_client(tenant, n)
        invoice = await an_invoice(client, f"A-{n}", "50.00")
        voided = lambda invoice=invoice: void_invoice(  # noqa: E731
            tenant_id=tenant.id,
            user_id=None,
            invoice_id=invoice.id,
            reset_service_schedule=False,
            reason="race",
        )

        outcomes = await race(faults, voided, payment_of(client, "20.00"))

        seen[outcomes] += 1
        await invoice.refresh_from_db()
        if outcomes[0] == "done":  # voided first: the money is the client's credit
            assert await allocated_to(invoice) == 0
            assert await client_figures(client.id) == (0, 2000)
        else:
            assert outcomes[0] in (ErrorCode.NOT_VOIDABLE, ErrorCode.HAS_ALLOCATIONS)
            assert (invoice.balance_cents, await allocated_to(invoice)) == (3000, 2000)
        assert outcomes[1] == "done"
        await assert_ledger_agrees([client])
    print(f"{faults.summary()}: {dict(seen)}")
    assert len(seen) == 2, "the race went one way only"


async def test_a_payment_racing_an_offset_credit_note_never_takes_more_than_the_balance(
    db: str, slow_locks: None
) -> None:
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("a payment racing a credit note", "trials")
    seen: Counter[str] = Counter()
    for n in range(TRIALS):
        client = await a_client(tenant, n)
        invoice = await an_invoice(client, f"A-{n}", "50.00")
        request = CreditNoteRequest(
            invoice_id=invoice.id, reason="Outage", settlement=CreditNoteSettlement.OFFSET
        )
        credited = lambda request=request: issue_credit_note(  # noqa: E731
            tenant_id=tenant.id, user_id=None, request=request
        )

        note, paid = await race(faults, credited, payment_of(client, "20.00"))

        assert paid == "done"
        due, credit = await client_figures(client.id)
        if note == "done":  # the whole balance was credited first: the payment is credit
            seen["credit note first"] += 1
            assert (due, credit, await allocated_to(invoice)) == (0, 2000, 0)
        else:  # paid first: the whole invoice is more than what is left to offset
            seen["payment first"] += 1
            assert note == ErrorCode.CREDIT_EXCEEDS_INVOICE
            assert (due, credit) == (3000, 0)
        await assert_ledger_agrees([client])
    print(f"{faults.summary()}: {dict(seen)}")
    assert len(seen) == 2, "the race went one way only"


async def test_a_refund_racing_credit_applied_never_spends_the_credit_twice(
    db: str, slow_locks: None
) -> None:
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("a refund racing credit applied", "trials")
    seen: Counter[str] = Counter()
    for n in range(TRIALS):
        client = await a_client(tenant, n)
        payment = await payment_of(client, "50.00")()
        invoice = await an_invoice(client, f"A-{n}", "40.00")

        refunded, applied = await race(faults, refund_of(payment, "50.00"), credit_applied(client))

        assert applied == "done"
        if refunded == "done":  # paid back first: nothing left to apply
            seen["refund first"] += 1
            assert await client_figures(client.id) == (4000, 0)
        else:
            seen["credit applied first"] += 1
            assert refunded == ErrorCode.REFUND_EXCEEDS_UNALLOCATED
            assert await client_figures(client.id) == (0, 1000)
            assert await allocated_to(invoice) == 4000
        await assert_ledger_agrees([client])
    print(f"{faults.summary()}: {dict(seen)}")
    assert len(seen) == 2, "the race went one way only"


async def test_two_credit_applications_apply_the_credit_once(db: str, slow_locks: None) -> None:
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("two credit applications", "trials")
    for n in range(TRIALS):
        client = await a_client(tenant, n)
        await payment_of(client, "50.00")()
        older = await an_invoice(client, f"A-{n}", "40.00", due_day=10)
        later = await an_invoice(client, f"B-{n}", "30.00", due_day=20)

        outcomes = await race(faults, credit_applied(client), credit_applied(client))

        assert outcomes == ("done", "done")
        assert (await allocated_to(older), await allocated_to(later)) == (4000, 1000)
        assert await client_figures(client.id) == (2000, 0)
        await assert_ledger_agrees([client])
    print(faults.summary())


async def test_a_reversal_racing_a_refund_never_both_happen(db: str, slow_locks: None) -> None:
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("a reversal racing a refund", "trials")
    seen: Counter[str] = Counter()
    for n in range(TRIALS):
        client = await a_client(tenant, n)
        await an_invoice(client, f"A-{n}", "40.00")
        payment = await payment_of(client, "50.00")()
        reversed_ = lambda payment=payment: reverse_payment(  # noqa: E731
            tenant_id=tenant.id, user_id=None, payment_id=payment.id, reason="Bounced", today=TODAY
        )

        reversal, refund = await race(faults, reversed_, refund_of(payment, "10.00"))

        assert (reversal, refund) in (
            ("done", ErrorCode.ALREADY_REVERSED),
            (ErrorCode.INVALID_INPUT, "done"),
        )
        seen["reversal first" if reversal == "done" else "refund first"] += 1
        expected = (4000, 0) if reversal == "done" else (0, 0)
        assert await client_figures(client.id) == expected
        await assert_ledger_agrees([client])
    print(f"{faults.summary()}: {dict(seen)}")
    assert len(seen) == 2, "the race went one way only"


async def test_without_the_client_lock_two_payments_over_allocate(
    db: str, slow_locks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks above can fail: payments that read the client's open invoices without the
    client's row lock first both pay the same balance."""

    async def unlocked(conn: Any, *, tenant_id: int, client_id: int) -> Client | None:
        client = await Client.filter(id=client_id, tenant_id=tenant_id).using_db(conn).first()
        await asyncio.sleep(HOLD_SECONDS)
        return client

    async def open_unlocked(conn: Any, *, tenant_id: int, client_id: int) -> list[Invoice]:
        invoices = (
            await Invoice.filter(tenant_id=tenant_id, client_id=client_id, balance_cents__gt=0)
            .using_db(conn)
            .order_by("due_on", "id")
        )
        return list(invoices)

    async def no_collections_hook(*args: Any, **kwargs: Any) -> None:
        """Collections' settlement hook locks the client's row itself; left in, it would turn
        the over-allocation this control looks for into a deadlock."""

    monkeypatch.setattr(billing.payments.recording, "lock_client", unlocked)
    monkeypatch.setattr(billing.payments.locks, "lock_open_invoices", open_unlocked)
    monkeypatch.setattr(billing.payments.recording, "after_settlement", no_collections_hook)
    tenant = await Tenant.create(key="acme", name="Acme")
    faults = FaultLog("two payments without the lock", "trials")
    with pytest.raises(AssertionError):
        for n in range(TRIALS):
            client = await a_client(tenant, n)
            invoice = await an_invoice(client, f"A-{n}", "50.00")
            await race(faults, payment_of(client, "40.00"), payment_of(client, "40.00"))
            assert await allocated_to(invoice) <= 5000, "over-allocated"
            await assert_ledger_agrees([client])
