"""A state machine over what happens to a client's money: invoices issued, payments (partial,
over, to several invoices, to the oldest first), reversals, refunds, credit notes of each
settlement, voids and credit applied. After every step, on SQLite and on PostgreSQL:

- each issued invoice's balance is its total less its payment allocations, its OFFSET credit
  notes and the credit applied to it, never negative, and its status follows the balance;
- each client's credit balance is what its received payments hold (amount less allocated less
  refunded) plus what its CREDIT credit notes hold (total less applied), never negative;
- the client's statement closes at its balance due less its credit balance.

Each step also checks its own effect against a model (what a payment must take, what a reversal
gives back), so the invariants are not only the records agreeing with themselves.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from tortoise.backends.base.executor import EXECUTOR_CACHE

from billing.credit_notes.issue import CreditNoteRequest, LineAmount, issue_credit_note
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus, takes_payment
from billing.invoices.void import void_invoice
from billing.money import from_minor_units
from billing.payments.credit import apply_credit
from billing.payments.methods import PaymentMethod, PaymentStatus
from billing.payments.recording import PaymentRequest, record_payment
from billing.payments.refunds import RefundRequest, refund_payment
from billing.payments.reversal import reverse_payment
from orm.db import close_database, open_database
from orm.models import (
    Client,
    Invoice,
    InvoiceLine,
    Payment,
)
from tests.support.builders import add_line, make_invoice
from tests.support.factories import make_client, make_tenant
from tests.support.receivables import assert_ledger_agrees, client_figures

T = TypeVar("T")

CURRENCY = "USD"
ISSUED_ON = date(2026, 10, 1)
RECEIVED_ON = date(2026, 11, 20)
TODAY = date(2026, 11, 24)
TOTALS = (1000, 2550, 4999, 10000)
CLIENTS = 2

amounts = st.integers(min_value=1, max_value=15_000)
picks = st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=3, unique=True)


def money(cents: int) -> Decimal:
    return from_minor_units(cents, CURRENCY)


class LedgerMachine(RuleBasedStateMachine):
    """One tenant with two clients, new for every example."""

    loop: asyncio.AbstractEventLoop

    def __init__(self) -> None:
        super().__init__()
        self.clients: list[Client] = []
        self.invoices: list[Invoice] = []
        self.payments: list[int] = []

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    @initialize()
    def open_books(self) -> None:
        self.run(self._open_books())

    async def _open_books(self) -> None:
        # A tenant of its own per example: every check reads only its rows, so examples never
        # see each other's, without emptying every table each time.
        tenant = await make_tenant(f"ledger-{uuid.uuid4().hex[:12]}", auto_apply_credit=False)
        self.clients = [await make_client(tenant, f"c-{n}") for n in range(CLIENTS)]

    # Steps -----------------------------------------------------------------------------

    @rule(client=st.integers(0, CLIENTS - 1), total=st.sampled_from(TOTALS), due=st.integers(0, 60))
    def issue(self, client: int, total: int, due: int) -> None:
        self.invoices.append(self.run(self._issue(self.clients[client], total, due)))

    async def _issue(self, client: Client, total: int, due: int) -> Invoice:
        invoice = await make_invoice(
            client,
            f"INV-{len(self.invoices) + 1:04d}",
            issued_on=ISSUED_ON,
            due_on=ISSUED_ON + timedelta(days=due),
            total=str(money(total)),
        )
        await add_line(invoice, unit_price=str(money(total)))
        return invoice

    @rule(client=st.integers(0, CLIENTS - 1), amount=amounts)
    def pay_oldest_first(self, client: int, amount: int) -> None:
        self.run(self._pay(self.clients[client], amount, None))

    @precondition(lambda self: self.invoices)
    @rule(amount=amounts, chosen=picks)
    def pay_named_invoices(self, amount: int, chosen: list[int]) -> None:
        first = self.invoices[chosen[0] % len(self.invoices)]
        theirs = [i for i in self.invoices if i.client_id == first.client_id]
        named = list(dict.fromkeys(theirs[n % len(theirs)].id for n in chosen))
        client = next(c for c in self.clients if c.id == first.client_id)
        self.run(self._pay(client, amount, named))

    async def _pay(self, client: Client, amount: int, named: list[int] | None) -> None:
        before = await self.client_figures(client.id)
        targets = (
            await Invoice.filter(client_id=client.id).order_by("due_on", "id")
            if named is None
            else [await Invoice.get(id=invoice_id) for invoice_id in named]
        )
        refused = named is not None and not all(
            takes_payment(i.status, i.balance_cents) for i in targets
        )
        owed = sum(i.balance_cents for i in targets if takes_payment(i.status, i.balance_cents))
        request = PaymentRequest(
            client.id,
            money(amount),
            RECEIVED_ON,
            PaymentMethod.BANK_TRANSFER,
            reference=f"TRX {len(self.payments)}",
            invoice_ids=None if named is None else tuple(named),
        )
        try:
            payment = await record_payment(
                tenant_id=client.tenant_id, user_id=None, request=request
            )
        except BillingRuleError as refusal:
            assert refused and refusal.code == ErrorCode.NOT_PAYABLE, refusal
            assert await self.client_figures(client.id) == before, "a refusal changed money"
            return
        assert not refused, "a named invoice that takes no payment took one"
        self.payments.append(payment.id)
        allocated = min(amount, owed)
        assert payment.allocated_cents == allocated
        due, credit = before
        assert await self.client_figures(client.id) == (
            due - allocated,
            credit + amount - allocated,
        )

    @precondition(lambda self: self.payments)
    @rule(pick=st.integers(0, 50))
    def reverse(self, pick: int) -> None:
        self.run(self._reverse(self.payments[pick % len(self.payments)]))

    async def _reverse(self, payment_id: int) -> None:
        payment = await Payment.get(id=payment_id)
        due, credit = await self.client_figures(payment.client_id)
        try:
            await reverse_payment(
                tenant_id=payment.tenant_id,
                user_id=None,
                payment_id=payment_id,
                reason="Bounced",
                today=TODAY,
            )
        except BillingRuleError as refusal:
            if payment.status == PaymentStatus.REVERSED:
                assert refusal.code == ErrorCode.ALREADY_REVERSED
            else:
                assert payment.refunded_cents > 0 and refusal.code == ErrorCode.INVALID_INPUT
            return
        assert payment.status == PaymentStatus.RECEIVED and payment.refunded_cents == 0
        held = payment.amount_cents - payment.allocated_cents
        # Allocated money is owed again on the invoices; what the payment held is gone.
        assert await self.client_figures(payment.client_id) == (
            due + payment.allocated_cents,
            credit - held,
        )

    @precondition(lambda self: self.payments)
    @rule(pick=st.integers(0, 50), amount=st.integers(1, 12_000))
    def refund(self, pick: int, amount: int) -> None:
        self.run(self._refund(self.payments[pick % len(self.payments)], amount))

    async def _refund(self, payment_id: int, amount: int) -> None:
        payment = await Payment.get(id=payment_id)
        due, credit = await self.client_figures(payment.client_id)
        held = payment.amount_cents - payment.allocated_cents - payment.refunded_cents
        try:
            await refund_payment(
                tenant_id=payment.tenant_id,
                user_id=None,
                request=RefundRequest(payment_id, money(amount)),
                today=TODAY,
            )
        except BillingRuleError as refusal:
            expected = (
                ErrorCode.ALREADY_REVERSED
                if payment.status == PaymentStatus.REVERSED
                else ErrorCode.REFUND_EXCEEDS_UNALLOCATED
            )
            assert refusal.code == expected
            assert payment.status == PaymentStatus.REVERSED or amount > held
            return
        assert payment.status == PaymentStatus.RECEIVED and amount <= held
        assert await self.client_figures(payment.client_id) == (due, credit - amount)

    @precondition(lambda self: self.invoices)
    @rule(
        pick=st.integers(0, 50),
        settlement=st.sampled_from(list(CreditNoteSettlement)),
        amount=st.integers(1, 10_000),
    )
    def credit_note(self, pick: int, settlement: CreditNoteSettlement, amount: int) -> None:
        self.run(self._credit_note(self.invoices[pick % len(self.invoices)], settlement, amount))

    async def _credit_note(
        self, invoice: Invoice, settlement: CreditNoteSettlement, amount: int
    ) -> None:
        fresh = await Invoice.get(id=invoice.id)
        line = await InvoiceLine.get(invoice_id=invoice.id)
        due, credit = await self.client_figures(invoice.client_id)
        request = CreditNoteRequest(
            invoice_id=invoice.id,
            reason="Outage",
            settlement=settlement,
            lines=(LineAmount(line.id, money(amount)),),
        )
        try:
            await issue_credit_note(tenant_id=invoice.tenant_id, user_id=None, request=request)
        except BillingRuleError as refusal:
            assert refusal.code in (ErrorCode.NOT_CREDITABLE, ErrorCode.CREDIT_EXCEEDS_INVOICE)
            assert await self.client_figures(invoice.client_id) == (due, credit)
            return
        assert fresh.credited_cents + amount <= fresh.total_cents
        if settlement is CreditNoteSettlement.OFFSET:
            assert amount <= fresh.balance_cents
            expected = (due - amount, credit)
        elif settlement is CreditNoteSettlement.CREDIT:
            expected = (due, credit + amount)
        else:  # paid back: neither what is owed nor what is held changes
            expected = (due, credit)
        assert await self.client_figures(invoice.client_id) == expected

    @precondition(lambda self: self.invoices)
    @rule(pick=st.integers(0, 50))
    def void(self, pick: int) -> None:
        self.run(self._void(self.invoices[pick % len(self.invoices)]))

    async def _void(self, invoice: Invoice) -> None:
        try:
            await void_invoice(
                tenant_id=invoice.tenant_id,
                user_id=None,
                invoice_id=invoice.id,
                reset_service_schedule=False,
                reason="Mistake",
            )
        except BillingRuleError as refusal:
            assert refusal.code in (
                ErrorCode.NOT_VOIDABLE,
                ErrorCode.HAS_ALLOCATIONS,
                ErrorCode.ALREADY_VOID,
            ), refusal
            return
        voided = await Invoice.get(id=invoice.id)
        assert (voided.status, voided.balance_cents) == (InvoiceStatus.VOID, 0)

    @rule(client=st.integers(0, CLIENTS - 1))
    def apply_credit_oldest_first(self, client: int) -> None:
        self.run(self._apply(self.clients[client]))

    async def _apply(self, client: Client) -> None:
        due, credit = await self.client_figures(client.id)
        open_balance = sum(
            i.balance_cents
            for i in await Invoice.filter(client_id=client.id)
            if takes_payment(i.status, i.balance_cents)
        )
        await apply_credit(
            tenant_id=client.tenant_id, user_id=None, client_id=client.id, today=TODAY
        )
        applied = min(credit, open_balance)
        assert await self.client_figures(client.id) == (due - applied, credit - applied)

    # What must hold after every step -----------------------------------------------------

    @invariant()
    def balances_follow_the_records(self) -> None:
        self.run(assert_ledger_agrees(self.clients))

    async def client_figures(self, client_id: int) -> tuple[int, int]:
        return await client_figures(client_id)


MACHINE_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_balances_credit_and_statements_always_follow_the_records(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{backend}_url")
    loop = asyncio.new_event_loop()
    # As the database fixture does: INSERTs are cached by connection name, not dialect.
    EXECUTOR_CACHE.clear()
    loop.run_until_complete(open_database(url))
    try:
        machine = type("LedgerOn" + backend.title(), (LedgerMachine,), {"loop": loop})
        run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
    finally:
        loop.run_until_complete(close_database())
        loop.close()
