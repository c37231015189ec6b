"""Runs processed by separate worker processes over Redis and RabbitMQ, including a worker
killed in the middle of a run and started again."""

from datetime import date
from pathlib import Path

import pytest

from billing.runs.lifecycle import RunStatus
from billing.runs.planning import start_invoice_run
from orm.models import Invoice, InvoiceLine, InvoiceRun, Service
from tests.support.bulk_data import add_clients_with_services
from tests.support.factories import make_tenant
from tests.support.services import RABBITMQ_URL, REDIS_URL, require_service
from tests.support.worker_process import wait_for_run, worker_billing

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

CLIENTS = 3000


# Often enough to see a run of a few chunks between two reads (a chunk takes tens of ms).
POLL_SECONDS = 0.01


async def assert_billed_exactly_once(run: InvoiceRun) -> None:
    assert (run.status, run.clients_processed, run.invoices_issued) == (
        RunStatus.COMPLETED,
        CLIENTS,
        CLIENTS,
    )
    assert run.amount_issued_cents == CLIENTS * 2999
    numbers = sorted(await Invoice.all().values_list("number", flat=True))
    assert numbers == [f"INV-{n:06}" for n in range(1, CLIENTS + 1)]
    assert await InvoiceLine.all().count() == CLIENTS
    assert not await Service.exclude(next_bill_date=date(2026, 12, 1)).exists()


async def queued_run() -> InvoiceRun:
    tenant = await make_tenant()
    await add_clients_with_services(tenant, CLIENTS)
    return await start_invoice_run(
        tenant, user_id=None, billing_date=date(2026, 11, 20), client_id=None, review=False
    )


@pytest.mark.parametrize("broker_url", [REDIS_URL, RABBITMQ_URL], ids=["redis", "rabbitmq"])
async def test_a_worker_process_bills_a_run_with_progress_per_chunk(
    db: str, broker_url: str, tmp_path: Path
) -> None:
    port = 6379 if broker_url.startswith("redis") else 5672
    require_service(broker_url.split(":")[0], "127.0.0.1", port)
    run = await queued_run()
    seen_progress: set[int] = set()

    with worker_billing(broker_url, db, tmp_path / "worker.log", run.id):

        def record(r: InvoiceRun) -> bool:
            seen_progress.add(r.clients_processed)
            return r.finished_at is not None

        run = await wait_for_run(run.id, record, timeout=120, every=POLL_SECONDS)

    await assert_billed_exactly_once(run)
    assert run.chunks_total == 3
    assert len(seen_progress - {0, CLIENTS}) >= 1, "no progress was seen between start and end"


async def test_a_worker_killed_mid_run_and_restarted_bills_everyone_exactly_once(
    db: str, tmp_path: Path
) -> None:
    require_service("redis", "127.0.0.1", 6379)
    run = await queued_run()

    with worker_billing(
        REDIS_URL, db, tmp_path / "worker.log", run.id, run_chunk_size="200"
    ) as worker:
        await wait_for_run(run.id, lambda r: r.chunks_done >= 2, timeout=120, every=POLL_SECONDS)
        worker.kill()
        interrupted = await InvoiceRun.get(id=run.id)
        assert interrupted.finished_at is None
        worker.start()
        run = await wait_for_run(
            run.id, lambda r: r.finished_at is not None, timeout=180, every=POLL_SECONDS
        )

    await assert_billed_exactly_once(run)
    assert run.chunks_total == 15
