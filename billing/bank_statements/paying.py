"""Recording matched bank entries as payments, inside the import's transaction.

The clients paid are locked first, in id order, then the invoices the entries name, in id
order: the order every payment takes (client, then invoices), so two imports or an import and
a payment never deadlock, and what the matcher read before the locks is checked under them. A
named invoice that no longer takes money (paid by an earlier entry of the same statement, or
voided meanwhile) is passed over: the money goes to the client's other open invoices, oldest
due first, and what is left stays the client's credit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.bank_statements.model import BankEntry
from billing.bank_statements.storing import StoredEntry
from billing.invoices.lifecycle import takes_payment
from billing.payments.methods import PaymentMethod
from billing.payments.recording import MAX_REFERENCE_LENGTH, record_payment_in
from orm.models import Client, Invoice, Tenant

LOCKS_PER_QUERY = 5_000


def payment_reference(entry: BankEntry) -> str:
    """What the payment is known by: the bank's reference and the payer's text."""
    reference = entry.bank_reference
    if entry.remittance:
        reference = f"{reference} {entry.remittance}"
    return reference[:MAX_REFERENCE_LENGTH]


async def pay_matched_entries(
    conn: BaseDBAsyncClient,
    *,
    tenant: Tenant,
    user_id: int | None,
    entries: Sequence[StoredEntry],
) -> dict[int, int]:
    """Record each MATCHED entry as a payment of its client; {entry id: payment id}."""
    if not entries:
        return {}
    client_ids = {entry.match.client_id for entry in entries if entry.match.client_id}
    await _lock(conn, Client, tenant.id, client_ids)
    named = {invoice_id for entry in entries for invoice_id in entry.match.invoice_ids}
    payable = await _payable(conn, tenant.id, named, lock=True)
    # Only a client paid by more than one entry can have a named invoice paid off meanwhile.
    paid_again = {c for c, n in Counter(e.match.client_id for e in entries).items() if n > 1}
    payments: dict[int, int] = {}
    for stored in entries:
        client_id = stored.match.client_id
        assert client_id is not None  # a MATCHED entry names its client
        invoice_ids = stored.match.invoice_ids
        still = (
            await _payable(conn, tenant.id, invoice_ids, lock=False)
            if client_id in paid_again
            else payable
        )
        payment = await record_payment_in(
            conn,
            tenant=tenant,
            client_id=client_id,
            amount_cents=stored.entry.minor_units,
            received_on=stored.entry.booked_on,
            method=PaymentMethod.BANK_TRANSFER,
            reference=payment_reference(stored.entry),
            invoice_ids=[invoice_id for invoice_id in invoice_ids if invoice_id in still] or None,
            then_oldest=True,
            user_id=user_id,
        )
        payments[stored.entry_id] = payment.id
    return payments


async def _lock(
    conn: BaseDBAsyncClient, model: type[Client] | type[Invoice], tenant_id: int, ids: Iterable[int]
) -> list[Client] | list[Invoice]:
    ordered = sorted(ids)
    rows: list = []
    for start in range(0, len(ordered), LOCKS_PER_QUERY):
        chunk = ordered[start : start + LOCKS_PER_QUERY]
        rows += (
            await model.filter(tenant_id=tenant_id, id__in=chunk)
            .order_by("id")
            .select_for_update()
            .using_db(conn)
        )
    return rows


async def _payable(
    conn: BaseDBAsyncClient, tenant_id: int, invoice_ids: Iterable[int], *, lock: bool
) -> set[int]:
    """The invoices among these that take money now (locked, the first time)."""
    ids = list(invoice_ids)
    if lock:
        invoices = await _lock(conn, Invoice, tenant_id, ids)
    else:
        invoices = await Invoice.filter(tenant_id=tenant_id, id__in=ids).using_db(conn)
    return {
        invoice.id for invoice in invoices if takes_payment(invoice.status, invoice.balance_cents)
    }
