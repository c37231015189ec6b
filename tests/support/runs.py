"""Driving invoice runs in tests without a queue: the same engine calls the workers make."""

from __future__ import annotations

from datetime import date

from billing.runs.engine import bill_chunk, open_run
from billing.runs.lifecycle import RunTrigger
from billing.runs.planning import start_invoice_run
from orm.models import InvoiceRun, Tenant


async def run_invoices(
    tenant: Tenant,
    billing_date: date | None,
    *,
    client_id: int | None = None,
    review: bool | None = None,
    chunk_size: int = 3,
    trigger: RunTrigger = RunTrigger.MANUAL,
    user_id: int | None = None,
    today: date | None = None,
) -> InvoiceRun:
    """Start a run and bill every chunk in order, as the workers would; returns the ended run."""
    run = await start_invoice_run(
        tenant,
        user_id=user_id,
        billing_date=billing_date,
        client_id=client_id,
        review=review,
        trigger=trigger,
        today=today,
    )
    await process_run(run.id, chunk_size=chunk_size)
    return await InvoiceRun.get(id=run.id)


async def process_run(run_id: int, *, chunk_size: int = 3) -> None:
    for chunk_id in await open_run(run_id, chunk_size):
        await bill_chunk(chunk_id)
