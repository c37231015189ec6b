"""Following a run's progress from outside: each progress step's commit, as seen on the run row
from a connection of its own, and each `invoiceRunProgress` event a subscriber receives over
graphql-transport-ws; the lag from one to the other."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import asyncpg
from websockets.asyncio.client import connect

from bench.scratch import EDITOR_TOKEN, database_url

PROGRESS = """subscription($id: ID!) { invoiceRunProgress(runId: $id) {
  status clientsProcessed invoicesIssued
} }"""
TERMINAL = ("completed", "completed_with_errors", "failed", "awaiting_review")


@dataclass
class Timeline:
    """When each progress step was first seen committed, and when each event arrived."""

    commits: list[tuple[float, int, str]] = field(default_factory=list)
    events: list[tuple[float, int, str]] = field(default_factory=list)


async def watch_commits(database: str, run_id: int, timeline: Timeline, done: asyncio.Event):
    """Read the run row about every millisecond: the first time a progress step shows is taken
    as its commit."""
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
    """Subscribe to the run's progress and note each event's arrival until the last one."""
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


def describe(timeline: Timeline) -> str:
    """The lag in one line: steps, events, p50, p95, max."""
    found = sorted(latencies(timeline))
    if not found:
        return "no progress step was seen"

    def at(rank: float) -> float:
        return found[min(len(found) - 1, int(len(found) * rank))] * 1000

    return (
        f"{len(timeline.commits) - 1} progress steps committed, {len(timeline.events)} events: "
        f"commit to event p50 {at(0.5):.0f} ms, p95 {at(0.95):.0f} ms, "
        f"max {found[-1] * 1000:.0f} ms"
    )
