"""What a client owes and holds, derived from the records that say it.

An issued, non-void invoice's balance is its total less the payments allocated to it, the credit
notes settled against it (OFFSET) and the credit of credit notes applied to it; its status
follows. A client's credit balance is what its payments hold unallocated and not refunded, plus
what its CREDIT credit notes hold not yet applied. Both are written here, from sums read in the
caller's transaction after its change, never by adding to what was stored before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.functions import Sum

from billing.credit_notes.settlement import CreditNoteSettlement
from billing.invoices.lifecycle import InvoiceStatus, status_for_balance
from billing.payments.methods import PaymentStatus
from orm.db import placeholders
from orm.models import CreditApplication, CreditNote, Invoice, Payment, PaymentAllocation

# Statuses whose balance is derived; a draft owes nothing yet and a void invoice nothing more.
OWING_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTIAL, InvoiceStatus.PAID)


async def settle_balances(conn: BaseDBAsyncClient, invoices: Sequence[Invoice]) -> None:
    """Set the balance and status of each invoice (locked by the caller) from its records."""
    owing = [invoice for invoice in invoices if invoice.status in OWING_STATUSES]
    if not owing:
        return
    taken = await amounts_taken_off(conn, [invoice.id for invoice in owing])
    for invoice in owing:
        balance = invoice.total_cents - taken.get(invoice.id, 0)
        status = status_for_balance(balance, invoice.total_cents)
        if (balance, status) != (invoice.balance_cents, invoice.status):
            invoice.balance_cents, invoice.status = balance, status
            await invoice.save(using_db=conn, update_fields=["balance_cents", "status"])


async def amounts_taken_off(conn: BaseDBAsyncClient, invoice_ids: Iterable[int]) -> dict[int, int]:
    """Per invoice: what payments, OFFSET credit notes and applied credit took off its total."""
    ids = list(invoice_ids)
    taken: dict[int, int] = {}
    sources = (
        PaymentAllocation.filter(invoice_id__in=ids)
        .using_db(conn)
        .values_list("invoice_id", "amount_cents"),
        CreditNote.filter(invoice_id__in=ids, settlement=CreditNoteSettlement.OFFSET)
        .using_db(conn)
        .values_list("invoice_id", "total_cents"),
        CreditApplication.filter(invoice_id__in=ids)
        .using_db(conn)
        .values_list("invoice_id", "amount_cents"),
    )
    for query in sources:
        for invoice_id, amount in await query:
            taken[invoice_id] = taken.get(invoice_id, 0) + amount
    return taken


async def credit_balances(
    client_ids: Sequence[int], conn: BaseDBAsyncClient | None = None
) -> dict[int, int]:
    """Each client's credit balance in minor units (0 where it holds none)."""
    if not client_ids:
        return {}
    conn = conn or connections.get("default")
    marks = ", ".join(placeholders(conn, len(client_ids)))
    marks_again = ", ".join(placeholders(conn, len(client_ids), start=len(client_ids) + 3))
    count = len(client_ids)
    sql = (
        "SELECT client_id, SUM(held) FROM ("
        " SELECT client_id, amount_cents - allocated_cents - refunded_cents AS held"
        f" FROM payments WHERE client_id IN ({marks}) AND status = {_mark(conn, count + 1)}"
        " UNION ALL"
        " SELECT client_id, total_cents - applied_cents AS held"
        f" FROM credit_notes WHERE settlement = {_mark(conn, count + 2)}"
        f" AND client_id IN ({marks_again})"
        ") held GROUP BY client_id"
    )
    params = [
        *client_ids,
        PaymentStatus.RECEIVED.value,
        CreditNoteSettlement.CREDIT.value,
        *client_ids,
    ]
    _, rows = await conn.execute_query(sql, params)
    return {int(row[0]): int(row[1]) for row in rows}


async def balances_due(
    client_ids: Sequence[int], conn: BaseDBAsyncClient | None = None
) -> dict[int, int]:
    """Each client's sum of the balances of its issued, non-void invoices."""
    if not client_ids:
        return {}
    rows = (
        await Invoice.filter(client_id__in=list(client_ids), status__in=OWING_STATUSES)
        .using_db(conn or connections.get("default"))
        .annotate(due=Sum("balance_cents"))
        .group_by("client_id")
        .values_list("client_id", "due")
    )
    return {client_id: int(due or 0) for client_id, due in rows}


def _mark(conn: BaseDBAsyncClient, position: int) -> str:
    return placeholders(conn, 1, start=position)[0]


async def recount_credit_sources(
    conn: BaseDBAsyncClient, payment_ids: Sequence[int], credit_note_ids: Sequence[int]
) -> None:
    """Set the allocated sums of the payments and the applied sums of the credit notes from
    their rows again (after rows of theirs went with a deleted invoice)."""
    for payment in await Payment.filter(id__in=list(payment_ids)).using_db(conn):
        allocated = (
            await PaymentAllocation.filter(payment_id=payment.id)
            .using_db(conn)
            .values_list("amount_cents", flat=True)
        )
        payment.allocated_cents = sum(allocated)
        await payment.save(using_db=conn, update_fields=["allocated_cents"])
    for note in await CreditNote.filter(id__in=list(credit_note_ids)).using_db(conn):
        applied = (
            await CreditApplication.filter(credit_note_id=note.id)
            .using_db(conn)
            .values_list("amount_cents", flat=True)
        )
        note.applied_cents = sum(applied)
        await note.save(using_db=conn, update_fields=["applied_cents"])
