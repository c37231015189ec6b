"""A scheduler in a process of its own, for races between processes: it opens the database,
prints "ready", waits for a line on its standard input, then ticks the schedule at the given
moment and prints the ids of the runs it started as JSON.

    python -m tests.reliability.scheduler_process DATABASE_URL 2026-12-05T09:00:00+00:00 TICKS
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime

from ispbox.config import get_settings
from orm.db import close_database, open_database
from workers.process import start_actors


async def tick_on_signal(database_url: str, now: datetime, ticks: int) -> list[int]:
    start_actors(get_settings())
    from workers.scheduler import start_scheduled_runs

    await open_database(database_url)
    try:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        started = []
        for _ in range(ticks):
            started += await start_scheduled_runs(now)
        return started
    finally:
        await close_database()


if __name__ == "__main__":
    url, moment, count = sys.argv[1:4]
    ids = asyncio.run(tick_on_signal(url, datetime.fromisoformat(moment), int(count)))
    print(json.dumps(ids), flush=True)
