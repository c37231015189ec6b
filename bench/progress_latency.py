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
import json
import os
import time
from dataclasses import dataclass, field
from datetime import date

import asyncpg
from websockets.asyncio.client import connect

from bench.processes import (
    api_server,
    forget_queues,
    new_queue_prefix,
    product_env,
    worker_processes,
)
from bench.run_throughput import RUN_QUEUES, TERMINAL, post_run_bulk
from bench.scratch import (
    EDITOR_TOKEN,
    create_database,
    database_url,
    demo_template,
    drop_database,
    scratch_name,
)

PROGRESS = """subscription($id: ID!) { invoiceRunProgress(runId: $id) {
  status clientsProcessed invoicesIssued
} }"""


@dataclass
class Timeline:
    """When each progress step was first seen committed, and when each event arrived."""

    commits: list[tuple[float, int, str]] = field(default_factory=list)
    events: list[tuple[float, int, str]] = field(default_factory=list)


async def watch_commits(database: str, run_id: int, timeline: Timeline, done: asyncio.Event):
    conn = await asyncpg.connect(database_url(database))
    try:
        seen = None
        while not done.is_set():
            row = await conn.fetchrow(
                "SELECT progress_version, clients_processed, status FROM invoice_runs "
                "WHERE id = $1",
                run_id,
            )
            if row["progress_version"] != seen:
                seen = row["progress_version"]
                timeline.commits.append(
                    (time.perf_counter(), row["clients_processed"], row["status"])
                )
            if row["status"] in TERMINAL:
                return
            await asyncio.sleep(0.001)
    finally:
        await conn.close()


async def follow_events(url: str, run_id: int, timeline: Timeline) -> None:
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    protocols = ["graphql-transport-ws"]
    async with connect(url, subprotocols=protocols, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": PROGRESS, "variables": {"id": str(run_id)}},
                }
            )
        )
        while True:
            message = json.loads(await ws.recv())
            if message["type"] != "next":
                return
            progress = message["payload"]["data"]["invoiceRunProgress"]
            timeline.events.append(
                (time.perf_counter(), progress["clientsProcessed"], progress["status"].lower())
            )


def latencies(timeline: Timeline) -> list[float]:
    """Per committed step after the first: seconds until an event showed it."""
    found = []
    for committed_at, processed, status in timeline.commits[1:]:
        answer = next(
            (
                at
                for at, shown, shown_status in timeline.events
                if shown >= processed and (status not in TERMINAL or shown_status == status)
            ),
            None,
        )
        if answer is not None:
            found.append(max(0.0, answer - committed_at))
    return found


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
    found = sorted(latencies(timeline))
    if not found:
        print("  no progress step was seen")
        return

    def at(rank: float) -> float:
        return found[min(len(found) - 1, int(len(found) * rank))] * 1000

    print(
        f"  {len(timeline.commits) - 1} progress steps committed, {len(timeline.events)} events: "
        f"commit to event p50 {at(0.5):.0f} ms, p95 {at(0.95):.0f} ms, "
        f"max {found[-1] * 1000:.0f} ms",
        flush=True,
    )


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
