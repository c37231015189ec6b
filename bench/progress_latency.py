"""Run progress latency: from a chunk's commit to the `invoiceRunProgress` event reaching a
client over graphql-transport-ws.

Imports N demo clients (the product's generator and import) into a scratch database, starts
`ispbox serve` and `ispbox worker` on Redis, subscribes, posts `runBulk`, and meanwhile watches
the run row from its own connection every millisecond or so: the first time it sees a progress
step counts as that step's commit. An event answers a step when it shows at least that step's
progress (steps committed close together may share one event). Not a test: nothing asserts.

    .venv/bin/python -m bench.progress_latency --clients 20000
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import date

from bench.processes import (
    api_server,
    forget_queues,
    new_queue_prefix,
    product_env,
    worker_processes,
)
from bench.progress_events import Timeline, describe, follow_events, watch_commits
from bench.run_throughput import RUN_QUEUES, post_run_bulk
from bench.scratch import (
    create_database,
    database_url,
    demo_template,
    drop_database,
    scratch_name,
)


async def measure(database: str, args: argparse.Namespace) -> Timeline:
    prefix = new_queue_prefix()
    env = product_env(database_url(database), prefix, run_chunk_size=str(args.chunk_size))
    try:
        with (
            api_server(env, args.port, workers=args.api_workers),
            worker_processes(env, args.processes, args.threads, RUN_QUEUES),
        ):
            run_id = post_run_bulk(args.port, args.billing_date)
            timeline = Timeline()
            done = asyncio.Event()
            watcher = asyncio.create_task(watch_commits(database, run_id, timeline, done))
            await asyncio.wait_for(
                follow_events(f"ws://127.0.0.1:{args.port}/graphql", run_id, timeline), 600
            )
            done.set()
            await watcher
            return timeline
    finally:
        forget_queues(prefix)


def report(timeline: Timeline) -> None:
    print(f"  {describe(timeline)}", flush=True)


async def bench(args: argparse.Namespace) -> None:
    print(
        f"cores: {os.cpu_count()}; clients: {args.clients:,}; chunk size: {args.chunk_size}; "
        f"worker processes: {args.processes}"
    )
    async with demo_template("progress", args.clients, date(2026, 11, 1)) as template:
        for attempt in range(1, args.repeat + 1):
            database = scratch_name("progress_run")
            await create_database(database, template)
            try:
                print(f"measurement {attempt}:")
                report(await measure(database, args))
            finally:
                await drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--billing-date", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--port", type=int, default=8751)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
