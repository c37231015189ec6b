"""Recording matched bank entries as payments, set-at-a-time, inside the import's transaction.

The same payments `billing.payments.recording.record_payment_in` records one at a time, written
for thousands of entries at once: the clients paid are locked first, in id order, then their open
invoices, in id order (the order every change of money takes, `billing.payments.locks`). Each
entry's money goes to the invoices its text named, then to the client's other open invoices
oldest due first (`shares_of`), what is left staying the client's credit; the entries are taken
in the statement's order, so a later one sees what an earlier one paid off. A named invoice that
no longer takes money (paid by an earlier entry, voided meanwhile) is passed over. Then the
payments, their allocations and their audit records are inserted in bulk, and each invoice's
balance and status are derived again from its records (`amounts_taken_off`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.audit.actions import AuditAction
from billing.bank_statements.model import BankEntry
from billing.bank_statements.storing import StoredEntry
from billing.collections.blocking import after_settlements
from billing.invoices.lifecycle import PAYABLE_STATUSES, status_for_balance
from billing.payments.allocation import Share, shares_of
from billing.payments.balances import amounts_taken_off
from billing.payments.methods import PaymentMethod, PaymentStatus
from billing.payments.recording import MAX_REFERENCE_LENGTH
from orm.bulk import insert_rows, new_ids
from orm.db import placeholders
from orm.dialect import bigint_parameter
from orm.models import AuditEvent, Client, Invoice, PaymentAllocation, Tenant

ROWS_PER_QUERY = 1_000
PAYMENT_COLUMNS = (
    "id",
    "tenant_id",
    "client_id",
    "amount_cents",
    "currency",
    "paid_on",
    "method",
    "reference",
    "status",
    "allocated_cents",
    "refunded_cents",
    "created_at",
)


@dataclass(frozen=True, slots=True)
class EntryPayment:
    """What one matched entry pays: its client and the shares of the invoices it goes to."""

    stored: StoredEntry
    client_id: int
    shares: list[Share]

    @property
    def allocated_cents(self) -> int:
        return sum(share.amount_cents for share in self.shares)


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
    client_ids = sorted({_client_of(entry) for entry in entries})
    await _lock_clients(conn, tenant.id, client_ids)
    open_invoices = await _lock_open_invoices(conn, tenant.id, client_ids)
    plans = plan_payments(entries, open_invoices)
    payment_ids = await new_ids(conn, "payments", len(plans))
    await _insert_payments(conn, tenant, plans, payment_ids)
    await PaymentAllocation.bulk_create(
        [
            PaymentAllocation(
                tenant_id=tenant.id,
                payment_id=payment_id,
                invoice_id=share.invoice.id,
                amount_cents=share.amount_cents,
            )
            for plan, payment_id in zip(plans, payment_ids, strict=True)
            for share in plan.shares
        ],
        using_db=conn,
    )
    touched = {share.invoice.id: share.invoice for plan in plans for share in plan.shares}
    await _settle(conn, list(touched.values()))
    await _audit(conn, tenant, user_id, plans, payment_ids)
    await after_settlements(conn, tenant_id=tenant.id, client_ids=client_ids)
    return {
        plan.stored.entry_id: payment_id
        for plan, payment_id in zip(plans, payment_ids, strict=True)
    }


def plan_payments(
    entries: Sequence[StoredEntry], open_invoices: Iterable[Invoice]
) -> list[EntryPayment]:
    """Each entry's shares, in the statement's order, each taking what earlier ones left."""
    by_id = {invoice.id: invoice for invoice in open_invoices}
    by_client: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in sorted(by_id.values(), key=lambda invoice: (invoice.due_on, invoice.id)):
        by_client[invoice.client_id].append(invoice)
    plans = []
    for stored in entries:
        client_id = _client_of(stored)
        named = [
            by_id[invoice_id]
            for invoice_id in stored.match.invoice_ids
            if invoice_id in by_id and by_id[invoice_id].client_id == client_id
        ]
        rest = [invoice for invoice in by_client[client_id] if invoice not in named]
        shares = shares_of(stored.entry.minor_units, [*named, *rest])
        for share in shares:
            invoice = share.invoice
            invoice.balance_cents -= share.amount_cents
            invoice.status = status_for_balance(invoice.balance_cents, invoice.total_cents)
        plans.append(EntryPayment(stored, client_id, shares))
    return plans


def _client_of(entry: StoredEntry) -> int:
    if entry.match.client_id is None:
        raise ValueError(f"entry {entry.entry_id} is MATCHED to no client")
    return entry.match.client_id


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), ROWS_PER_QUERY):
        yield ids[start : start + ROWS_PER_QUERY]


async def _lock_clients(conn: BaseDBAsyncClient, tenant_id: int, client_ids: Sequence[int]) -> None:
    for chunk in _chunks(client_ids):
        await (
            Client.filter(tenant_id=tenant_id, id__in=chunk)
            .order_by("id")
            .select_for_update()
            .using_db(conn)
            .values_list("id", flat=True)
        )


async def _lock_open_invoices(
    conn: BaseDBAsyncClient, tenant_id: int, client_ids: Sequence[int]
) -> list[Invoice]:
    found: list[Invoice] = []
    for chunk in _chunks(client_ids):
        found += (
            await Invoice.filter(
                tenant_id=tenant_id,
                client_id__in=chunk,
                status__in=PAYABLE_STATUSES,
                balance_cents__gt=0,
            )
            .order_by("id")
            .select_for_update()
            .using_db(conn)
        )
    return found


async def _insert_payments(
    conn: BaseDBAsyncClient, tenant: Tenant, plans: Sequence[EntryPayment], ids: Sequence[int]
) -> None:
    now = datetime.now(UTC)
    rows = [
        (
            payment_id,
            tenant.id,
            plan.client_id,
            plan.stored.entry.minor_units,
            tenant.currency,
            plan.stored.entry.booked_on,
            PaymentMethod.BANK_TRANSFER.value,
            payment_reference(plan.stored.entry),
            PaymentStatus.RECEIVED.value,
            plan.allocated_cents,
            0,
            now,
        )
        for plan, payment_id in zip(plans, ids, strict=True)
    ]
    await insert_rows(conn, "payments", PAYMENT_COLUMNS, rows)


async def _settle(conn: BaseDBAsyncClient, invoices: Sequence[Invoice]) -> None:
    """Each paid invoice's balance and status derived from its records, as `settle_balances`
    does, written a thousand invoices an UPDATE."""
    ids = [invoice.id for invoice in invoices]
    taken: dict[int, int] = {}
    for chunk in _chunks(ids):
        taken.update(await amounts_taken_off(conn, chunk))
    settled = []
    for invoice in invoices:
        invoice.balance_cents = invoice.total_cents - taken.get(invoice.id, 0)
        invoice.status = status_for_balance(invoice.balance_cents, invoice.total_cents)
        settled.append(invoice)
    for start in range(0, len(settled), ROWS_PER_QUERY):
        chunk = settled[start : start + ROWS_PER_QUERY]
        marks = placeholders(conn, 5 * len(chunk))
        balance = " ".join(
            f"WHEN {marks[2 * i]} THEN {bigint_parameter(conn, marks[2 * i + 1])}"
            for i in range(len(chunk))
        )
        offset = 2 * len(chunk)
        status = " ".join(
            f"WHEN {marks[offset + 2 * i]} THEN {marks[offset + 2 * i + 1]}"
            for i in range(len(chunk))
        )
        in_list = ", ".join(marks[4 * len(chunk) :])
        params: list[object] = [v for inv in chunk for v in (inv.id, inv.balance_cents)]
        params += [v for inv in chunk for v in (inv.id, inv.status.value)]
        params += [inv.id for inv in chunk]
        await conn.execute_query(
            f"UPDATE invoices SET balance_cents = CASE id {balance} END, "
            f"status = CASE id {status} END WHERE id IN ({in_list})",
            params,
        )


async def _audit(
    conn: BaseDBAsyncClient,
    tenant: Tenant,
    user_id: int | None,
    plans: Sequence[EntryPayment],
    payment_ids: Sequence[int],
) -> None:
    """One PAYMENT record per payment, as `record_payment_in` writes it."""
    await AuditEvent.bulk_create(
        [
            AuditEvent(
                tenant_id=tenant.id,
                user_id=user_id,
                action=AuditAction.PAYMENT,
                invoice_id=plan.shares[0].invoice.id if len(plan.shares) == 1 else None,
                detail={
                    "payment_id": payment_id,
                    "client_id": plan.client_id,
                    "amount_cents": plan.stored.entry.minor_units,
                    "method": PaymentMethod.BANK_TRANSFER.value,
                    "reference": payment_reference(plan.stored.entry),
                    "allocations": [
                        {"invoice_id": share.invoice.id, "amount_cents": share.amount_cents}
                        for share in plan.shares
                    ],
                },
            )
            for plan, payment_id in zip(plans, payment_ids, strict=True)
        ],
        using_db=conn,
    )
