"""Bulk-run throughput through the API and `ispbox worker` processes on Redis, against the COPY
floor.

Imports N demo clients (the product's generator and import) into a template database; for each
worker count, a copy of it gets `ispbox serve` and `ispbox worker` on a queue prefix of their
own, `runBulk` is posted over HTTP and the clock stops at the run's terminal status. The floor is
the same invoice and line rows written into a fresh copy with COPY. Not a test: nothing asserts.

Optionally, while the run runs: a subscriber follows its progress events (`--follow-progress`),
and the API's overview page is loaded (`--overview-load SECONDS`). From the workers' log: how
long the chunks waited for and held the tenant's invoice numbers, the part of a run that goes
one chunk at a time.

    .venv/bin/python -m bench.run_throughput --clients 100000
    .venv/bin/python -m bench.prepare --clients 1000000 --name ispbox_bench_m1
    .venv/bin/python -m bench.run_throughput --template ispbox_bench_m1 --processes 2 \
        --follow-progress --overview-load 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
import httpx

from bench.copy_floor import copy_seconds, read_run_rows
from bench.load import LatencyFigures, check_answer, graphql_body, measure
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
from bench.progress_events import TERMINAL, Timeline, describe, follow_events, watch_commits
from bench.scratch import (
    EDITOR_TOKEN,
    add_data_date_argument,
    create_database,
    database_url,
    demo_template,
    drop_database,
    rehash_demo_tokens,
    scratch_name,
)
from orm.db import migrate_database

RUN_BULK = """mutation($date: Date!) {
  runBulk(input: {billingDate: $date, review: false}) { run { id } errors { code message } }
}"""
RUN_QUEUES = ("runs", "chunks")
ANALYST_TOKEN = "demo-analyst-token-northwind"
OVERVIEW = """query { invoices(first: 50) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id number issuedOn dueOn total balance status client { id name } } }
} }"""
OVERVIEW_CONNECTIONS = 8
# What the chunk job logs once a chunk that took invoice numbers has committed (workers/runs.py).
NUMBERING_LOG = re.compile(
    r"run (\d+) chunk \d+: waited ([\d.]+) ms for its invoice numbers, held them ([\d.]+) ms"
)


@dataclass(frozen=True, slots=True)
class NumberingFigures:
    """Summed over a run's chunks: time waiting for the tenant's sequence row, and holding it
    from taking the numbers to the commit (one chunk at a time)."""

    chunks: int
    wait_seconds: float
    hold_seconds: float


def numbering_figures(worker_log: str, run_id: int) -> NumberingFigures:
    waits, holds = [], []
    for match in NUMBERING_LOG.finditer(worker_log):
        if int(match[1]) == run_id:
            waits.append(float(match[2]) / 1000)
            holds.append(float(match[3]) / 1000)
    return NumberingFigures(len(holds), sum(waits), sum(holds))


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
    numbering: NumberingFigures
    progress: Timeline | None = None
    overview: LatencyFigures | None = None

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


async def follow_progress(database: str, port: int, run_id: int) -> Timeline:
    """The run's progress steps and events until its last one (see bench.progress_events)."""
    timeline = Timeline()
    done = asyncio.Event()
    watcher = asyncio.create_task(watch_commits(database, run_id, timeline, done))
    try:
        await follow_events(f"ws://127.0.0.1:{port}/graphql", run_id, timeline)
    finally:
        done.set()
        await watcher
    return timeline


async def load_overview(port: int, seconds: float) -> LatencyFigures:
    """The overview page under load from concurrent connections, in a thread (wrk or httpx)."""
    url = f"http://127.0.0.1:{port}/graphql"
    body = graphql_body(OVERVIEW)
    check_answer(url, ANALYST_TOKEN, body)
    return await asyncio.to_thread(
        measure, url, ANALYST_TOKEN, body, connections=OVERVIEW_CONNECTIONS, seconds=seconds
    )


async def measure_run(
    template: str, processes: int, args: argparse.Namespace, port: int
) -> RunFigures:
    """One run on a fresh copy of the data, which is kept (the caller drops it) unless the
    measurement fails."""
    database = scratch_name("run")
    await create_database(database, template)
    prefix = new_queue_prefix()
    env = product_env(database_url(database), prefix, run_chunk_size=str(args.chunk_size))
    progress: Timeline | None = None
    overview: LatencyFigures | None = None
    try:
        with (
            api_server(env, port, workers=args.api_workers, access_log=False),
            worker_processes(env, processes, args.threads, RUN_QUEUES) as worker,
        ):
            workers = [worker.pid, *descendants(worker.pid)]
            cpu_before = sum(cpu_seconds(pid) for pid in workers)
            started = datetime.now(UTC)
            run_id = post_run_bulk(port, args.billing_date)
            watching = (
                asyncio.create_task(follow_progress(database, port, run_id))
                if args.follow_progress
                else None
            )
            loading = (
                asyncio.create_task(load_overview(port, args.overview_load))
                if args.overview_load
                else None
            )
            run = await wait_for_terminal(database, run_id)
            seconds = (run["finished_at"] - started).total_seconds()
            peak = max(peak_rss_mb(pid) for pid in workers)
            cpu = sum(cpu_seconds(pid) for pid in workers) - cpu_before
            if watching is not None:
                progress = await asyncio.wait_for(watching, 60)
            if loading is not None:
                overview = await loading
            numbering = numbering_figures(worker.log_text(), run_id)
    except BaseException:
        # No figures to hand back: the copy is the caller's to drop only with them.
        await drop_database(database)
        raise
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
        numbering=numbering,
        progress=progress,
        overview=overview,
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
        f"  (load average after the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())})",
        flush=True,
    )
    print(
        f"  {figures.processes} worker process(es): {figures.status}, {figures.clients:,} clients, "
        f"{figures.invoices:,} invoices, {figures.lines:,} lines in {figures.chunks} chunks: "
        f"{figures.seconds:.2f} s = {figures.invoices_per_second:,.0f} invoices/s{ratio}; "
        f"worker peak RSS {figures.worker_peak_mb:.0f} MiB, "
        f"worker CPU during the run {figures.worker_cpu_seconds:.1f} s",
        flush=True,
    )
    numbering = figures.numbering
    print(
        f"    invoice numbers, {numbering.chunks} chunks: held from taking them to the commit "
        f"{numbering.hold_seconds:.2f} s in all = {numbering.hold_seconds / figures.seconds:.0%} "
        f"of the run's time; waited for them {numbering.wait_seconds:.2f} s in all",
        flush=True,
    )
    if figures.progress is not None:
        print(f"    progress: {describe(figures.progress)}", flush=True)
    if figures.overview is not None:
        overview = figures.overview
        print(
            f"    overview page during the run ({OVERVIEW_CONNECTIONS} connections, "
            f"{overview.seconds:.0f} s, {overview.tool}): p50 {overview.p50_ms:.1f} ms, "
            f"p95 {overview.p95_ms:.1f} ms, p99 {overview.p99_ms:.1f} ms, "
            f"{overview.per_second:.0f} requests/s, errors {overview.errors}",
            flush=True,
        )


@asynccontextmanager
async def template_database(args: argparse.Namespace) -> AsyncIterator[str]:
    """The data each measurement copies: the prepared database named by --template (kept),
    else N demo clients generated and imported now (dropped at the end)."""
    if args.template:
        # Prepared with the code of its day: brought to this checkout's schema first.
        applied = await migrate_database(database_url(args.template))
        if applied:
            print(f"migrations applied to {args.template}: {', '.join(applied)}", flush=True)
        await rehash_demo_tokens(args.template)
        yield args.template
        return
    started = time.perf_counter()
    async with demo_template("template", args.clients, args.data_date) as template:
        print(f"generate and import: {time.perf_counter() - started:.1f} s", flush=True)
        yield template


async def bench(args: argparse.Namespace) -> None:
    data = f"database {args.template}" if args.template else f"clients: {args.clients:,}"
    print(
        f"cores: {os.cpu_count()}; {data}; chunk size: {args.chunk_size}; "
        f"threads per worker process: {args.threads}; billing date: {args.billing_date}; "
        f"load average at the start: {os.getloadavg()[0]:.2f}"
    )
    async with template_database(args) as template:
        for attempt in range(1, args.repeat + 1):
            print(f"measurement {attempt} (load average {os.getloadavg()[0]:.2f}):", flush=True)
            floor: float | None = None
            for processes in args.processes:
                figures = await measure_run(template, processes, args, args.port)
                try:
                    if floor is None and not args.no_floor:
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
    parser.add_argument(
        "--template", help="copy this prepared database (bench.prepare; kept) for each run"
    )
    parser.add_argument("--api-workers", type=int, default=1, help="ispbox serve --workers")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the COPY floor (measured by an earlier run)"
    )
    parser.add_argument(
        "--follow-progress",
        action="store_true",
        help="subscribe to the run's progress and report commit-to-event lag",
    )
    parser.add_argument(
        "--overview-load",
        type=float,
        default=0,
        metavar="SECONDS",
        help="load the API's overview page for this long from the start of the run",
    )
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
