"""The row locks every change of money owed or held takes, always in one order.

Whatever changes a client's invoices' balances or its credit (a payment, a reversal, a refund,
credit applied, a credit note, a void, a card charge settled) locks the client's row first and
then the invoices it touches, in id order, inside its transaction, and decides from what it read
under the locks. So two such changes of one client never both act on what each read before the
other, and two of them never wait on each other in opposite orders. On PostgreSQL these are row
locks (`SELECT … FOR UPDATE`); SQLite serialises writers instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import PAYABLE_STATUSES, payment_refusal
from orm.models import Client, Invoice


async def lock_client(conn: BaseDBAsyncClient, *, tenant_id: int, client_id: int) -> Client | None:
    """The tenant's client, read under a row lock held until `conn`'s transaction ends."""
    return (
        await Client.filter(id=client_id, tenant_id=tenant_id)
        .select_for_update()
        .using_db(conn)
        .first()
    )


async def lock_invoice(
    *, tenant_id: int, invoice_id: int, conn: BaseDBAsyncClient
) -> Invoice | None:
    """The tenant's invoice, read under a row lock after its client's (see the module's order)."""
    client_ids = (
        await Invoice.filter(id=invoice_id, tenant_id=tenant_id)
        .using_db(conn)
        .values_list("client_id", flat=True)
    )
    if not client_ids:
        return None
    await lock_client(conn, tenant_id=tenant_id, client_id=client_ids[0])
    return (
        await Invoice.filter(id=invoice_id, tenant_id=tenant_id)
        .select_for_update()
        .using_db(conn)
        .first()
    )


async def lock_client_invoices(
    conn: BaseDBAsyncClient, *, tenant_id: int, client_id: int, invoice_ids: Iterable[int]
) -> dict[int, Invoice]:
    """The client's invoices among `invoice_ids`, locked in id order (the client's row must be
    locked already), by id; an id of another client's invoice is simply not there."""
    invoices = (
        await Invoice.filter(
            id__in=sorted(set(invoice_ids)), tenant_id=tenant_id, client_id=client_id
        )
        .select_for_update()
        .using_db(conn)
        .order_by("id")
    )
    return {invoice.id: invoice for invoice in invoices}


async def lock_open_invoices(
    conn: BaseDBAsyncClient, *, tenant_id: int, client_id: int
) -> list[Invoice]:
    """The client's invoices that still owe something, locked, oldest due date first (the order
    money is allocated in where nobody names the invoices)."""
    invoices = (
        await Invoice.filter(
            tenant_id=tenant_id,
            client_id=client_id,
            status__in=PAYABLE_STATUSES,
            balance_cents__gt=0,
        )
        .select_for_update()
        .using_db(conn)
        .order_by("id")
    )
    return sorted(invoices, key=lambda invoice: (invoice.due_on, invoice.id))


async def lock_invoices_to_pay(
    conn: BaseDBAsyncClient,
    *,
    tenant_id: int,
    client_id: int,
    invoice_ids: Sequence[int] | None,
    then_oldest: bool = False,
) -> list[Invoice]:
    """The client's invoices money goes to, locked, in the order it goes: those named (each must
    take a payment: NOT_PAYABLE, NOT_FOUND for another client's), then with `then_oldest` the
    other open ones; none named, the open ones oldest due first."""
    if invoice_ids is None:
        return await lock_open_invoices(conn, tenant_id=tenant_id, client_id=client_id)
    if len(set(invoice_ids)) != len(invoice_ids):
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT, "An invoice is named more than once.", field="invoiceIds"
        )
    found = await lock_client_invoices(
        conn, tenant_id=tenant_id, client_id=client_id, invoice_ids=invoice_ids
    )
    named: list[Invoice] = []
    for invoice_id in invoice_ids:
        invoice = found.get(invoice_id)
        if invoice is None:
            raise BillingRuleError(
                ErrorCode.NOT_FOUND, "No such invoice of this client.", field="invoiceIds"
            )
        if refusal := payment_refusal(invoice.status, balance_cents=invoice.balance_cents):
            raise BillingRuleError(
                ErrorCode.NOT_PAYABLE,
                f"Invoice {invoice.number or invoice.id} takes no payment: {refusal.message}.",
                field="invoiceIds",
            )
        named.append(invoice)
    if not then_oldest:
        return named
    others = await lock_open_invoices(conn, tenant_id=tenant_id, client_id=client_id)
    return named + [invoice for invoice in others if invoice.id not in found]
