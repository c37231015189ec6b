"""Reading what collections decides from: the tenant's policy, clients and their owed invoices
as the pure rules' snapshots, set-at-a-time for a pass's chunk or one client."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.collections.decisions import ClientSnapshot, InvoiceSnapshot, blocked_reason_of
from billing.collections.passes import LATE_FEE_KEY_PREFIX, late_fee_key
from billing.collections.policy import CollectionsPolicy
from billing.invoices.lifecycle import PAYABLE_STATUSES
from orm.db import sql_date
from orm.dialect import numbered_placeholder, row_lock
from orm.models import Charge, Client, Invoice, InvoiceReminder, Tenant


def tenant_policy(tenant: Tenant) -> CollectionsPolicy:
    """The tenant's stored collections settings as the rules' policy (ValueError where a stored
    value breaks a rule: the settings' own checks keep that from happening)."""
    return CollectionsPolicy(
        reminder_days=tuple(tenant.reminder_days or ()),
        late_fee_amount=tenant.late_fee_cents,
        late_fee_percent=tenant.late_fee_percent,
        block_after_grace=tenant.block_after_grace,
    )


def client_snapshot(client: Client) -> ClientSnapshot:
    return ClientSnapshot(
        client_id=client.id,
        status=ClientStatus(client.status),
        blocked_reason=blocked_reason_of(client.blocked, client.blocked_reason),
    )


async def locked_client_snapshots(
    conn: BaseDBAsyncClient, tenant_id: int, client_ids: Iterable[int]
) -> list[ClientSnapshot]:
    """The clients, their rows locked until `conn`'s transaction ends (in id order, as every
    locker of several clients takes them). A settlement's `after_settlement` locks its client
    too, so it reads the client only after a pass's changes to it are committed, and lifts
    what the pass decided from an invoice the settlement has just paid."""
    ids = sorted(set(client_ids))
    if not ids:
        return []
    rows = (
        await Client.filter(tenant_id=tenant_id, id__in=ids)
        .order_by("id")
        .select_for_update()
        .using_db(conn)
        .values("id", "status", "blocked", "blocked_reason")
    )
    return [
        ClientSnapshot(
            client_id=row["id"],
            status=ClientStatus(row["status"]),
            blocked_reason=blocked_reason_of(row["blocked"], row["blocked_reason"]),
        )
        for row in rows
    ]


async def standing_client_ids(
    conn: BaseDBAsyncClient, tenant_id: int, first_id: int, last_id: int
) -> list[int]:
    """The clients of the id range that are overdue or blocked by collections: a pass looks at
    them even without an invoice past due, to set them back."""
    rows = await (
        Client.filter(tenant_id=tenant_id, id__gte=first_id, id__lte=last_id)
        .filter(status=ClientStatus.OVERDUE)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    blocked = await (
        Client.filter(tenant_id=tenant_id, id__gte=first_id, id__lte=last_id)
        .filter(blocked=True, blocked_reason=BlockedReason.OVERDUE)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    return sorted({*rows, *blocked})


async def past_due_invoices(
    conn: BaseDBAsyncClient,
    tenant_id: int,
    today: date,
    *,
    client_range: tuple[int, int] | None = None,
    client_ids: Iterable[int] | None = None,
) -> list[InvoiceSnapshot]:
    """The owed invoices past their due date of a client id range (or of given clients), with
    the reminder levels each has claimed and whether its late fee was added. Invoices not past
    due decide nothing: no reminder, fee, overdue status or block comes of them."""
    invoices = Invoice.filter(
        tenant_id=tenant_id, status__in=PAYABLE_STATUSES, balance_cents__gt=0, due_on__lt=today
    )
    if client_range is not None:
        invoices = invoices.filter(client_id__gte=client_range[0], client_id__lte=client_range[1])
    if client_ids is not None:
        invoices = invoices.filter(client_id__in=list(client_ids))
    rows = await invoices.using_db(conn).values(
        "id", "client_id", "number", "status", "due_on", "grace_until", "balance_cents"
    )
    if not rows:
        return []
    invoice_ids = [row["id"] for row in rows]
    levels = await _claimed_levels(conn, invoice_ids)
    fees = await _late_fee_keys(conn, tenant_id, {row["client_id"] for row in rows})
    return [
        InvoiceSnapshot(
            invoice_id=row["id"],
            client_id=row["client_id"],
            number=row["number"],
            status=row["status"],
            due_on=row["due_on"],
            grace_until=row["grace_until"],
            balance=row["balance_cents"],
            reminder_levels_sent=frozenset(levels.get(row["id"], ())),
            late_fee_added=late_fee_key(row["id"]) in fees,
        )
        for row in rows
    ]


async def _claimed_levels(conn: BaseDBAsyncClient, invoice_ids: list[int]) -> dict[int, set[int]]:
    """Every level claimed per invoice, sent or still to send: a claimed level is not decided
    again."""
    levels: dict[int, set[int]] = defaultdict(set)
    rows = (
        await InvoiceReminder.filter(invoice_id__in=invoice_ids)
        .using_db(conn)
        .values_list("invoice_id", "level")
    )
    for invoice_id, level in rows:
        levels[invoice_id].add(level)
    return levels


async def _late_fee_keys(conn: BaseDBAsyncClient, tenant_id: int, client_ids: set[int]) -> set[str]:
    """The late fee keys the clients' charges hold (whatever the charge's status since)."""
    keys = (
        await Charge.filter(tenant_id=tenant_id, client_id__in=list(client_ids))
        .filter(key__startswith=LATE_FEE_KEY_PREFIX)
        .using_db(conn)
        .values_list("key", flat=True)
    )
    return set(keys)


async def chunk_snapshots(
    conn: BaseDBAsyncClient, tenant_id: int, today: date, first_id: int, last_id: int
) -> tuple[list[ClientSnapshot], list[InvoiceSnapshot]]:
    """A pass chunk's clients worth looking at (an invoice past due, overdue, or blocked by
    collections), locked in id order, and their invoices past due read after the locks.

    Plain SQL over the chunk's id range: a chunk reads thousands of rows, and the query builder's
    cost for lists of ids that long would be most of the chunk's time."""

    def owed(bind: _Binder) -> str:
        return (
            f"i.tenant_id = {bind(tenant_id)} "
            f"AND i.client_id BETWEEN {bind(first_id)} AND {bind(last_id)} "
            f"AND i.status IN ({', '.join(bind(s.value) for s in PAYABLE_STATUSES)}) "
            f"AND i.balance_cents > 0 AND i.due_on < {bind(today)}"
        )

    bind = _Binder(conn)
    tenant, first, last = bind(tenant_id), bind(first_id), bind(last_id)
    overdue, collections_block = bind(ClientStatus.OVERDUE.value), bind(BlockedReason.OVERDUE.value)
    rows = await conn.execute_query_dict(
        f"SELECT c.id, c.status, c.blocked, c.blocked_reason FROM clients c "
        f"WHERE c.tenant_id = {tenant} AND c.id BETWEEN {first} AND {last} AND "
        f"(c.status = {overdue} OR (c.blocked AND c.blocked_reason = {collections_block}) "
        f"OR EXISTS (SELECT 1 FROM invoices i WHERE i.client_id = c.id AND {owed(bind)})) "
        f"ORDER BY c.id{row_lock(conn, 'c')}",
        bind.values,
    )
    clients = [
        ClientSnapshot(
            client_id=row["id"],
            status=ClientStatus(row["status"]),
            blocked_reason=blocked_reason_of(bool(row["blocked"]), row["blocked_reason"]),
        )
        for row in rows
    ]
    bind = _Binder(conn)
    invoices = await conn.execute_query_dict(
        "SELECT i.id, i.client_id, i.number, i.status, i.due_on, i.grace_until, i.balance_cents "
        f"FROM invoices i WHERE {owed(bind)}",
        bind.values,
    )
    bind = _Binder(conn)
    levels: dict[int, set[int]] = defaultdict(set)
    for row in await conn.execute_query_dict(
        f"SELECT r.invoice_id, r.level FROM invoice_reminders r JOIN invoices i "
        f"ON i.id = r.invoice_id WHERE {owed(bind)}",
        bind.values,
    ):
        levels[row["invoice_id"]].add(row["level"])
    bind = _Binder(conn)
    fee_rows = await conn.execute_query_dict(
        f"SELECT key FROM charges WHERE tenant_id = {bind(tenant_id)} "
        f"AND client_id BETWEEN {bind(first_id)} AND {bind(last_id)} "
        f"AND key LIKE {bind(LATE_FEE_KEY_PREFIX + '%')}",
        bind.values,
    )
    fees = {row["key"] for row in fee_rows}
    return clients, [
        InvoiceSnapshot(
            invoice_id=row["id"],
            client_id=row["client_id"],
            number=row["number"],
            status=row["status"],
            due_on=_as_date(row["due_on"]),
            grace_until=_as_date(row["grace_until"]),
            balance=row["balance_cents"],
            reminder_levels_sent=frozenset(levels.get(row["id"], ())),
            late_fee_added=late_fee_key(row["id"]) in fees,
        )
        for row in invoices
    ]


class _Binder:
    """The numbered parameter markers of one statement, in the order its values are bound."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.values: list[object] = []

    def __call__(self, value: object) -> str:
        self.values.append(sql_date(self.conn, value) if isinstance(value, date) else value)
        return numbered_placeholder(self.conn, len(self.values))


def _as_date(value: date | str) -> date:
    """Raw SQL gives SQLite's dates as ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value)
