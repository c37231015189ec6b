"""One chunk of a collections pass, done exactly once in one transaction.

The chunk's row is locked, its clients and their invoices past due read, each client's plan
decided by the pure rules (`plan_collections`) for the pass's day, and the plans applied: the
reminder levels claimed, late fees added, statuses and blocks changed, all audited, the chunk
marked done and the pass's progress raised, in one commit. A worker killed mid-chunk rolls it all
back and the redelivered chunk starts over; a chunk already done is skipped. The reminders it
claimed are emailed after the commit (`reminder_email`), each once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.collections.applying import AppliedActions, apply_plans
from billing.collections.decisions import InvoiceSnapshot, plan_collections
from billing.collections.passes import PassStatus
from billing.collections.snapshots import (
    chunk_snapshots,
    tenant_policy,
)
from billing.runs.lifecycle import ChunkStatus
from orm.db import placeholders
from orm.models import CollectionsChunk, CollectionsPass, Tenant


@dataclass(frozen=True, slots=True)
class ChunkOutcome:
    tenant_id: int
    pass_id: int
    first_client_id: int
    last_client_id: int
    # False for a chunk an earlier delivery had done already.
    newly_done: bool
    applied: AppliedActions


async def work_collections_chunk(chunk_id: int) -> ChunkOutcome:
    """Do the chunk's collections for its pass's day, once."""
    async with in_transaction() as conn:
        chunk = await CollectionsChunk.select_for_update().using_db(conn).get(id=chunk_id)
        collections_pass = await CollectionsPass.get(id=chunk.collections_pass_id).using_db(conn)
        tenant_id = collections_pass.tenant_id
        outcome = ChunkOutcome(
            tenant_id=tenant_id,
            pass_id=collections_pass.id,
            first_client_id=chunk.first_client_id,
            last_client_id=chunk.last_client_id,
            newly_done=False,
            applied=AppliedActions(),
        )
        if chunk.status == ChunkStatus.DONE:
            return outcome
        applied = await _collect(conn, chunk, collections_pass)
        chunk.status = ChunkStatus.DONE
        chunk.processed_at = datetime.now(UTC)
        await chunk.save(using_db=conn, update_fields=["status", "processed_at"])
        await _count_chunk_done(conn, collections_pass.id)
    return ChunkOutcome(
        tenant_id=tenant_id,
        pass_id=collections_pass.id,
        first_client_id=chunk.first_client_id,
        last_client_id=chunk.last_client_id,
        newly_done=True,
        applied=applied,
    )


async def _collect(
    conn: BaseDBAsyncClient, chunk: CollectionsChunk, collections_pass: CollectionsPass
) -> AppliedActions:
    tenant = await Tenant.get(id=collections_pass.tenant_id).using_db(conn)
    policy = tenant_policy(tenant)
    day = collections_pass.day
    client_range = (chunk.first_client_id, chunk.last_client_id)
    clients, invoices = await chunk_snapshots(conn, tenant.id, day, *client_range)
    by_client: dict[int, list[InvoiceSnapshot]] = defaultdict(list)
    for invoice in invoices:
        by_client[invoice.client_id].append(invoice)
    plans = [
        plan_collections(client, by_client[client.client_id], policy, day) for client in clients
    ]
    return await apply_plans(conn, tenant.id, [plan for plan in plans if plan.has_actions])


async def _count_chunk_done(conn: BaseDBAsyncClient, pass_id: int) -> None:
    """Raise the pass's count of chunks done; the last chunk marks the pass done, once."""
    mark = placeholders(conn, 1)[0]
    rows = await conn.execute_query_dict(
        f"UPDATE collections_passes SET chunks_done = chunks_done + 1 WHERE id = {mark} "
        "RETURNING chunks_done, chunks_total",
        [pass_id],
    )
    if rows and rows[0]["chunks_done"] >= rows[0]["chunks_total"]:
        await (
            CollectionsPass.filter(id=pass_id)
            .using_db(conn)
            .update(status=PassStatus.DONE, finished_at=datetime.now(UTC))
        )
