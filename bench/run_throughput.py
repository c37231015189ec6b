"""Bulk-run throughput through the API and `ispbox worker` processes on Redis, against the COPY
floor.

Imports N demo clients (the product's generator and import) into a template database; for each
worker count, a copy of it gets `ispbox serve` and `ispbox worker` on a queue prefix of their
own, `runBulk` is posted over HTTP and the clock stops at the run's terminal status. The floor is
the same invoice and line rows written into a fresh copy with COPY. Not a test: nothing asserts.

    .venv/bin/python -m bench.run_throughput --clients 100000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
import httpx

from bench.copy_floor import copy_seconds, read_run_rows
from bench.processes import (
    api_server,
    cpu_seconds,
    descendants,
    forget_queues,
    new_queue_prefix,
    peak_rss_mb,
    product_env,
    worker_processes,
)
from bench.scratch import (
    EDITOR_TOKEN,
    add_data_date_argument,
    create_database,
    database_url,
    demo_template,
    drop_database,
    scratch_name,
)

RUN_BULK = """mutation($date: Date!) {
  runBulk(input: {billingDate: $date, review: false}) { run { id } errors { code message } }
}"""
TERMINAL = ("completed", "completed_with_errors", "failed", "awaiting_review")
RUN_QUEUES = ("runs", "chunks")


@dataclass(frozen=True, slots=True)
class RunFigures:
    processes: int
    run_id: int
    database: str
    seconds: float
    status: str
    clients: int
    invoices: int
    lines: int
    chunks: int
    worker_peak_mb: float
    worker_cpu_seconds: float

    @property
    def invoices_per_second(self) -> float:
        return self.invoices / self.seconds


def post_run_bulk(port: int, billing_date: date) -> int:
    response = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": RUN_BULK, "variables": {"date": billing_date.isoformat()}},
        headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
        timeout=30,
    )
    payload = response.json()["data"]["runBulk"]
    if payload["errors"]:
        raise RuntimeError(f"runBulk refused: {payload['errors']}")
    return int(payload["run"]["id"])


async def wait_for_terminal(database: str, run_id: int) -> asyncpg.Record:
    conn = await asyncpg.connect(database_url(database))
    try:
        while True:
            run = await conn.fetchrow("SELECT * FROM invoice_runs WHERE id = $1", run_id)
            if run["status"] in TERMINAL:
                return run
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def count_lines(database: str, run_id: int) -> int:
    conn = await asyncpg.connect(database_url(database))
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
            "WHERE i.run_id = $1",
            run_id,
        )
    finally:
        await conn.close()


async def measure_run(
    template: str, processes: int, args: argparse.Namespace, port: int
) -> RunFigures:
    """One run on a fresh copy of the data, which is kept (the caller drops it)."""
    database = scratch_name("run")
    await create_database(database, template)
    prefix = new_queue_prefix()
    env = product_env(database_url(database), prefix, run_chunk_size=str(args.chunk_size))
    try:
        with (
            api_server(env, port),
            worker_processes(env, processes, args.threads, RUN_QUEUES) as worker,
        ):
            workers = [worker.pid, *descendants(worker.pid)]
            cpu_before = sum(cpu_seconds(pid) for pid in workers)
            started = datetime.now(UTC)
            run_id = post_run_bulk(port, args.billing_date)
            run = await wait_for_terminal(database, run_id)
            seconds = (run["finished_at"] - started).total_seconds()
            peak = max(peak_rss_mb(pid) for pid in workers)
            cpu = sum(cpu_seconds(pid) for pid in workers) - cpu_before
    finally:
        forget_queues(prefix)
    return RunFigures(
        processes=processes,
        run_id=run_id,
        database=database,
        seconds=seconds,
        status=run["status"],
        clients=run["clients_processed"],
        invoices=run["invoices_issued"],
        lines=await count_lines(database, run_id),
        chunks=run["chunks_total"],
        worker_peak_mb=peak,
        worker_cpu_seconds=cpu,
    )


async def measure_floor(template: str, figures: RunFigures) -> float:
    rows = await read_run_rows(figures.database, figures.run_id)
    target = scratch_name("floor")
    await create_database(target, template)
    try:
        return await copy_seconds(target, rows)
    finally:
        await drop_database(target)


def report_run(figures: RunFigures, floor: float | None) -> None:
    ratio = f", {figures.seconds / floor:.2f}x the COPY floor" if floor else ""
    print(
        f"  {figures.processes} worker process(es): {figures.status}, {figures.clients:,} clients, "
        f"{figures.invoices:,} invoices, {figures.lines:,} lines in {figures.chunks} chunks: "
        f"{figures.seconds:.2f} s = {figures.invoices_per_second:,.0f} invoices/s{ratio}; "
        f"worker peak RSS {figures.worker_peak_mb:.0f} MiB, "
        f"worker CPU during the run {figures.worker_cpu_seconds:.1f} s",
        flush=True,
    )


async def bench(args: argparse.Namespace) -> None:
    print(
        f"cores: {os.cpu_count()}; clients: {args.clients:,}; chunk size: {args.chunk_size}; "
        f"threads per worker process: {args.threads}; billing date: {args.billing_date}"
    )
    started = time.perf_counter()
    async with demo_template("template", args.clients, args.data_date) as template:
        print(f"generate and import: {time.perf_counter() - started:.1f} s", flush=True)
        for attempt in range(1, args.repeat + 1):
            print(f"measurement {attempt}:")
            floor: float | None = None
            for processes in args.processes:
                figures = await measure_run(template, processes, args, args.port)
                try:
                    if floor is None:
                        floor = await measure_floor(template, figures)
                        print(
                            f"  COPY floor: {figures.invoices:,} invoices and {figures.lines:,} "
                            f"lines in {floor:.2f} s = {figures.invoices / floor:,.0f} invoices/s"
                        )
                finally:
                    await drop_database(figures.database)
                report_run(figures, floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker process (chunks at a time)"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--port", type=int, default=8731)
    add_data_date_argument(parser)
    parser.add_argument(
        "--billing-date",
        type=date.fromisoformat,
        default=date(2026, 12, 1),
        help="the run's date; the default bills the month after the data date",
    )
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
