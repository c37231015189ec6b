"""Applying a client's credit balance to its invoices.

The credit is what the client's payments hold unallocated (and not refunded) and what its
credit notes settled as CREDIT hold not yet applied; the oldest credit goes first. A payment's
part becomes an allocation of that payment; a credit note's part a CreditApplication. Applied by
hand (`apply_credit`) to the invoices named or the open ones oldest due first, and, where the
tenant's `auto_apply_credit` is on, to each invoice as it is issued, in the issuing transaction:
the run's chunk and the finalize of a reviewed run find the few clients with credit in one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.dates import today_in
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import PAYABLE_STATUSES
from billing.payments.balances import settle_balances
from billing.payments.locks import lock_client, lock_invoices_to_pay
from billing.payments.methods import PaymentStatus
from orm.db import placeholders
from orm.models import (
    Client,
    CreditApplication,
    CreditNote,
    Invoice,
    Payment,
    PaymentAllocation,
    Tenant,
)


@dataclass(slots=True)
class _Credit:
    """One source of credit and what it still holds."""

    source: Payment | CreditNote
    held: int


async def apply_credit(
    *,
    tenant_id: int,
    user_id: int | None,
    client_id: int,
    invoice_ids: Sequence[int] | None = None,
    today: date | None = None,
) -> Client:
    """Apply the client's credit to the invoices named (NOT_PAYABLE for one that takes no
    payment) or to its open invoices oldest due first; the client as it is after."""
    async with in_transaction() as conn:
        client = await lock_client(conn, tenant_id=tenant_id, client_id=client_id)
        if client is None:
            raise BillingRuleError(ErrorCode.NOT_FOUND, "No such client.", field="clientId")
        invoices = await lock_invoices_to_pay(
            conn, tenant_id=tenant_id, client_id=client_id, invoice_ids=invoice_ids
        )
        tenant = await Tenant.get(id=tenant_id).using_db(conn)
        applied = await apply_credit_in(
            conn, client_id=client_id, invoices=invoices, today=today or today_in(tenant.timezone)
        )
        if applied:
            await record_action(
                tenant_id=tenant_id,
                user_id=user_id,
                action=AuditAction.APPLY_CREDIT,
                invoice_id=invoices[0].id if len(invoices) == 1 else None,
                detail={"client_id": client_id, "amount_cents": applied},
                using_db=conn,
            )
    return client


async def apply_credit_in(
    conn: BaseDBAsyncClient, *, client_id: int, invoices: Sequence[Invoice], today: date
) -> int:
    """Inside the caller's transaction, with the client and the invoices locked: apply the
    client's credit to the invoices in order; the amount applied."""
    credits = await _credits_of(conn, client_id)
    applied = 0
    touched: list[Invoice] = []
    for invoice in invoices:
        owed = invoice.balance_cents if invoice.status in PAYABLE_STATUSES else 0
        while owed > 0 and credits:
            credit = credits[0]
            taken = min(owed, credit.held)
            await _take(conn, credit, invoice, taken, today)
            owed -= taken
            applied += taken
            credit.held -= taken
            if credit.held == 0:
                credits.pop(0)
        if owed != (invoice.balance_cents if invoice.status in PAYABLE_STATUSES else 0):
            touched.append(invoice)
    await settle_balances(conn, touched)
    return applied


async def apply_credit_to_run_invoices(
    conn: BaseDBAsyncClient,
    *,
    tenant: Tenant,
    run_id: int,
    first_client_id: int | None = None,
    last_client_id: int | None = None,
) -> int:
    """Apply credit to the run's just-issued invoices of the clients (all, or those with ids in
    the chunk's range) that hold any; the amount applied. One query finds those clients."""
    if not tenant.auto_apply_credit:
        return 0
    low = first_client_id if first_client_id is not None else 0
    high = last_client_id if last_client_id is not None else 2**63 - 1
    applied = 0
    today = today_in(tenant.timezone)
    for client_id in await clients_holding_credit(conn, tenant.id, low, high):
        await lock_client(conn, tenant_id=tenant.id, client_id=client_id)
        invoices = (
            await Invoice.filter(
                tenant_id=tenant.id,
                client_id=client_id,
                run_id=run_id,
                status__in=PAYABLE_STATUSES,
                balance_cents__gt=0,
            )
            .select_for_update()
            .using_db(conn)
            .order_by("due_on", "id")
        )
        applied += await apply_credit_in(conn, client_id=client_id, invoices=invoices, today=today)
    return applied


async def clients_holding_credit(
    conn: BaseDBAsyncClient, tenant_id: int, first_client_id: int, last_client_id: int
) -> list[int]:
    """The tenant's clients with ids in the range that hold any credit (served by partial
    indexes over the payments and credit notes that hold some)."""
    p = placeholders(conn, 8)
    sql = (
        "SELECT client_id FROM payments"
        f" WHERE tenant_id = {p[0]} AND client_id BETWEEN {p[1]} AND {p[2]}"
        f" AND status = {p[3]} AND amount_cents > allocated_cents + refunded_cents"
        " UNION"
        " SELECT client_id FROM credit_notes"
        f" WHERE tenant_id = {p[4]} AND client_id BETWEEN {p[5]} AND {p[6]}"
        f" AND settlement = {p[7]} AND total_cents > applied_cents"
        " ORDER BY client_id"
    )
    params = [
        tenant_id,
        first_client_id,
        last_client_id,
        PaymentStatus.RECEIVED.value,
        tenant_id,
        first_client_id,
        last_client_id,
        CreditNoteSettlement.CREDIT.value,
    ]
    _, rows = await conn.execute_query(sql, params)
    return [int(row[0]) for row in rows]


async def _credits_of(conn: BaseDBAsyncClient, client_id: int) -> list[_Credit]:
    """The client's sources of credit, oldest first (payments by day received, credit notes by
    day issued)."""
    payments = (
        await Payment.filter(client_id=client_id, status=PaymentStatus.RECEIVED)
        .using_db(conn)
        .order_by("paid_on", "id")
    )
    notes = (
        await CreditNote.filter(client_id=client_id, settlement=CreditNoteSettlement.CREDIT)
        .using_db(conn)
        .order_by("issued_on", "id")
    )
    dated = [
        (payment.paid_on, 0, payment.id, _Credit(payment, _held_by_payment(payment)))
        for payment in payments
    ] + [
        (note.issued_on, 1, note.id, _Credit(note, note.total_cents - note.applied_cents))
        for note in notes
    ]
    dated.sort(key=lambda item: item[:3])
    return [credit for *_, credit in dated if credit.held > 0]


def _held_by_payment(payment: Payment) -> int:
    return payment.amount_cents - payment.allocated_cents - payment.refunded_cents


async def _take(
    conn: BaseDBAsyncClient, credit: _Credit, invoice: Invoice, amount: int, today: date
) -> None:
    source = credit.source
    if isinstance(source, Payment):
        await PaymentAllocation.create(
            tenant_id=invoice.tenant_id,
            payment_id=source.id,
            invoice_id=invoice.id,
            amount_cents=amount,
            using_db=conn,
        )
        source.allocated_cents += amount
        await source.save(using_db=conn, update_fields=["allocated_cents"])
        return
    await CreditApplication.create(
        tenant_id=invoice.tenant_id,
        credit_note_id=source.id,
        invoice_id=invoice.id,
        amount_cents=amount,
        applied_on=today,
        using_db=conn,
    )
    source.applied_cents += amount
    await source.save(using_db=conn, update_fields=["applied_cents"])
