"""Starting the daily collections pass: one per tenant and local day, cut into chunks of clients.

The scheduler calls `start_due_passes` at every tick; the unique (tenant, day) of the pass makes
it once however many schedulers tick or restart. `open_collections_pass` cuts the pass's clients
into id ranges (the ranges cover every id, so a client that owes later that day still falls in
one) and may be called again for the same pass: it then returns the chunks still pending.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billing.clients.eligibility import BlockedReason, ClientStatus
from billing.collections.aging_report import fold_due_totals
from billing.collections.passes import PassStatus
from billing.dates import today_in
from billing.invoices.lifecycle import PAYABLE_STATUSES
from billing.runs.lifecycle import ChunkStatus
from orm.models import Client, CollectionsChunk, CollectionsPass, Invoice, Tenant

log = logging.getLogger(__name__)

# The ranges of a pass's chunks reach from the first id to the last a client can have.
FIRST_CLIENT_ID, LAST_CLIENT_ID = 0, 2**63 - 1


async def start_due_passes(now: datetime | None = None) -> list[int]:
    """Make today's pass of every tenant that has none for its local day; the ids made now."""
    started = []
    async for tenant in Tenant.all().only("id", "timezone", "key"):
        today = today_in(tenant.timezone, now)
        if await CollectionsPass.filter(tenant_id=tenant.id, day=today).exists():
            continue
        try:
            collections_pass = await CollectionsPass.create(tenant_id=tenant.id, day=today)
        except IntegrityError:
            continue  # another scheduler made it first
        started.append(collections_pass.id)
        log.info("collections pass %s of tenant %s for %s", collections_pass.id, tenant.key, today)
    return started


async def passes_to_hand_again(now: datetime | None = None, *, after: timedelta) -> list[int]:
    """Passes not done that were last handed to the workers longer ago than `after` (their
    message lost with a broker, or a pass the embedded workers had when the process stopped);
    marked as handed again now."""
    moment = now or datetime.now(UTC)
    stale = await CollectionsPass.filter(
        status__in=(PassStatus.QUEUED, PassStatus.RUNNING), queued_at__lt=moment - after
    ).values_list("id", flat=True)
    if stale:
        await CollectionsPass.filter(id__in=list(stale)).update(queued_at=moment)
    return sorted(stale)


async def unfinished_pass_ids() -> list[int]:
    return sorted(
        await CollectionsPass.filter(
            status__in=(PassStatus.QUEUED, PassStatus.RUNNING)
        ).values_list("id", flat=True)
    )


async def open_collections_pass(pass_id: int, chunk_size: int) -> list[int]:
    """Cut a queued pass into chunks (the pass running); the ids of its chunks still pending.

    A pass with no client to look at is done at once. Opening a pass also folds its tenant's
    owed totals per due date (the aging report's rows), once a day."""
    async with in_transaction() as conn:
        collections_pass = await CollectionsPass.select_for_update().using_db(conn).get(id=pass_id)
        opened_now = collections_pass.status == PassStatus.QUEUED
        if opened_now:
            await _cut_into_chunks(conn, collections_pass, chunk_size)
        pending = (
            sorted(
                await CollectionsChunk.filter(
                    collections_pass_id=pass_id, status=ChunkStatus.PENDING
                )
                .using_db(conn)
                .values_list("id", flat=True)
            )
            if collections_pass.status == PassStatus.RUNNING
            else []
        )
    if opened_now:
        await fold_due_totals(collections_pass.tenant_id)
    return pending


async def _cut_into_chunks(
    conn: BaseDBAsyncClient, collections_pass: CollectionsPass, chunk_size: int
) -> None:
    client_ids = await _clients_to_look_at(collections_pass.tenant_id, collections_pass.day, conn)
    chunks = [
        CollectionsChunk(
            collections_pass_id=collections_pass.id,
            seq=seq,
            first_client_id=first,
            last_client_id=last,
        )
        for seq, (first, last) in enumerate(chunk_ranges(client_ids, chunk_size))
    ]
    await CollectionsChunk.bulk_create(chunks, using_db=conn)
    collections_pass.chunks_total = len(chunks)
    if chunks:
        collections_pass.status = PassStatus.RUNNING
    else:
        collections_pass.status = PassStatus.DONE
        collections_pass.finished_at = datetime.now(UTC)
    await collections_pass.save(
        using_db=conn, update_fields=["chunks_total", "status", "finished_at"]
    )


def chunk_ranges(client_ids: list[int], chunk_size: int) -> list[tuple[int, int]]:
    """Id ranges of at most `chunk_size` of the (ascending) clients each, together covering
    every id from FIRST_CLIENT_ID to LAST_CLIENT_ID; none where there is no client."""
    if chunk_size < 1:
        raise ValueError("a chunk holds at least one client")
    ranges = []
    first = FIRST_CLIENT_ID
    for start in range(0, len(client_ids), chunk_size):
        last = client_ids[min(start + chunk_size, len(client_ids)) - 1]
        ranges.append((first, last))
        first = last + 1
    if ranges:
        ranges[-1] = (ranges[-1][0], LAST_CLIENT_ID)
    return ranges


async def _clients_to_look_at(tenant_id: int, day: date, conn: BaseDBAsyncClient) -> list[int]:
    """Clients with an owed invoice past due, and those overdue or blocked by collections."""
    owing = await (
        Invoice.filter(
            tenant_id=tenant_id, status__in=PAYABLE_STATUSES, balance_cents__gt=0, due_on__lt=day
        )
        .using_db(conn)
        .distinct()
        .values_list("client_id", flat=True)
    )
    overdue = await (
        Client.filter(tenant_id=tenant_id, status=ClientStatus.OVERDUE)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    blocked = await (
        Client.filter(tenant_id=tenant_id, blocked=True, blocked_reason=BlockedReason.OVERDUE)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    return sorted({*owing, *overdue, *blocked})
