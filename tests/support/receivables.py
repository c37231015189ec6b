"""The ledger's invariants, checked against every row: each issued invoice's balance is its total
less its payment allocations, OFFSET credit notes and applied credit, never negative, with the
status that follows; each payment's and credit note's kept sums are its rows' sums; each client's
credit balance is what its received payments and CREDIT credit notes hold, never negative; its
statement closes at balance due less credit balance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from billing.credit_notes.settlement import CreditNoteSettlement
from billing.invoices.lifecycle import InvoiceStatus, status_for_balance
from billing.payments.balances import OWING_STATUSES, balances_due, credit_balances
from billing.payments.methods import PaymentStatus
from billing.payments.statement import client_statement
from orm.models import (
    Client,
    CreditApplication,
    CreditNote,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentRefund,
)


async def client_figures(client_id: int) -> tuple[int, int]:
    """(balance due, credit balance) in minor units, as the product reports them."""
    due = (await balances_due([client_id])).get(client_id, 0)
    credit = (await credit_balances([client_id])).get(client_id, 0)
    return due, credit


async def assert_ledger_agrees(clients: Sequence[Client]) -> None:
    """Every row read once, summed here: the balances and sums the product keeps, and what it
    reports for each client, must be the same."""
    records = await Records.read(clients[0].tenant_id) if clients else None
    if records is None:
        return
    for invoice in records.invoices:
        allocated = records.allocated_to(invoice.id)
        applied = records.applied_to(invoice.id)
        offset = records.offset_on(invoice.id)
        if invoice.status == InvoiceStatus.VOID:
            assert invoice.balance_cents == 0 and allocated == applied == 0
            continue
        assert invoice.status in OWING_STATUSES
        balance = invoice.total_cents - allocated - offset - applied
        assert invoice.balance_cents == balance >= 0, invoice.number
        assert invoice.status == status_for_balance(balance, invoice.total_cents)
    for payment in records.payments:
        allocated = records.allocated_from(payment.id)
        refunded = records.refunded_from(payment.id)
        assert (payment.allocated_cents, payment.refunded_cents) == (allocated, refunded)
        assert payment.amount_cents - allocated - refunded >= 0
        if payment.status == PaymentStatus.REVERSED:
            assert allocated == refunded == 0
    for note in records.credit_notes:
        if note.settlement == CreditNoteSettlement.CREDIT:
            assert note.applied_cents == records.applied_from(note.id) <= note.total_cents
    for client in clients:
        await _check_client(client, records)


async def _check_client(client: Client, records: Records) -> None:
    client_id = client.id
    held_by_payments = sum(
        p.amount_cents - p.allocated_cents - p.refunded_cents
        for p in records.payments
        if p.client_id == client_id and p.status == PaymentStatus.RECEIVED
    )
    held_by_notes = sum(
        n.total_cents - n.applied_cents
        for n in records.credit_notes
        if n.client_id == client_id and n.settlement == CreditNoteSettlement.CREDIT
    )
    due, credit = await client_figures(client_id)
    assert credit == held_by_payments + held_by_notes >= 0
    owing = [
        i.balance_cents
        for i in records.invoices
        if i.client_id == client_id and i.status in OWING_STATUSES
    ]
    assert due == sum(owing) >= 0
    statement = await client_statement(client.tenant_id, client_id)
    assert statement.closing == due - credit


@dataclass
class Records:
    """Every row of the ledger's tables, as the database holds them now."""

    invoices: list[Invoice]
    payments: list[Payment]
    credit_notes: list[CreditNote]
    allocations: list[PaymentAllocation]
    applications: list[CreditApplication]
    refunds: list[PaymentRefund]

    @classmethod
    async def read(cls, tenant_id: int) -> Records:
        """The tenant's rows."""
        return cls(
            invoices=await Invoice.filter(tenant_id=tenant_id),
            payments=await Payment.filter(tenant_id=tenant_id),
            credit_notes=await CreditNote.filter(tenant_id=tenant_id),
            allocations=await PaymentAllocation.filter(tenant_id=tenant_id),
            applications=await CreditApplication.filter(tenant_id=tenant_id),
            refunds=await PaymentRefund.filter(tenant_id=tenant_id),
        )

    def allocated_to(self, invoice_id: int) -> int:
        return sum(a.amount_cents for a in self.allocations if a.invoice_id == invoice_id)

    def allocated_from(self, payment_id: int) -> int:
        return sum(a.amount_cents for a in self.allocations if a.payment_id == payment_id)

    def applied_to(self, invoice_id: int) -> int:
        return sum(a.amount_cents for a in self.applications if a.invoice_id == invoice_id)

    def applied_from(self, credit_note_id: int) -> int:
        return sum(a.amount_cents for a in self.applications if a.credit_note_id == credit_note_id)

    def refunded_from(self, payment_id: int) -> int:
        return sum(r.amount_cents for r in self.refunds if r.payment_id == payment_id)

    def offset_on(self, invoice_id: int) -> int:
        return sum(
            n.total_cents
            for n in self.credit_notes
            if n.invoice_id == invoice_id and n.settlement == CreditNoteSettlement.OFFSET
        )
