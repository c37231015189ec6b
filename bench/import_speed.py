"""How long the import takes for a large ISP on PostgreSQL: N demo clients into an empty
database, then the same file again (which changes nothing).

The document is generated once, outside the clock; each repeat imports it into a fresh scratch
database. Printed per repeat: the validation alone (`check_document`), the whole import
(validation included, as `ispbox import` runs it), its re-import, the importing process's CPU
time and the PostgreSQL backend's CPU time, and the machine's load average at the start. Not a
test: nothing asserts.

    .venv/bin/python -m bench.import_speed --clients 100000 --repeat 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any

from bench.scratch import (
    add_data_date_argument,
    create_database,
    database_url,
    drop_database,
    scratch_name,
)
from billing.imports.demo_data import demo_document
from billing.imports.importer import ImportSummary, import_document
from billing.imports.validation import check_document
from ispbox.config import get_settings
from orm.db import close_database, connection, migrate_database, open_database


@dataclass(frozen=True, slots=True)
class Timing:
    wall: float
    process_cpu: float
    database_cpu: float

    def __str__(self) -> str:
        return (
            f"{self.wall:6.2f} s  (importer CPU {self.process_cpu:5.2f} s, "
            f"PostgreSQL CPU {self.database_cpu:5.2f} s)"
        )


async def backend_pid() -> int:
    rows = await connection().execute_query_dict("SELECT pg_backend_pid() AS pid")
    return int(rows[0]["pid"])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process on this machine (the database backend)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def timed_import(document: dict[str, Any]) -> tuple[Timing, ImportSummary]:
    # The import runs on one connection (its transaction's): its backend does the writing.
    pid = await backend_pid()
    database_before, process_before = cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    summary = await import_document(document, signing_key=get_settings().signing_key)
    wall = time.perf_counter() - started
    timing = Timing(wall, time.process_time() - process_before, cpu_seconds(pid) - database_before)
    return timing, summary


async def measure(document: dict[str, Any], repeat: int) -> None:
    for attempt in range(1, repeat + 1):
        load = os.getloadavg()
        started, cpu = time.perf_counter(), time.process_time()
        problems = check_document(document).problems
        validation = time.perf_counter() - started
        print(
            f"\nmeasurement {attempt} (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
            f"\n  validation alone  {validation:6.2f} s  (CPU {time.process_time() - cpu:5.2f} s,"
            f" {len(problems)} problems)"
        )
        name = scratch_name("import")
        await create_database(name)
        try:
            await migrate_database(database_url(name))
            await open_database(database_url(name))
            try:
                first, summary = await timed_import(document)
                print(f"  import            {first}")
                again, unchanged = await timed_import(document)
                print(f"  same file again   {again}, changed: {unchanged.changed}")
            finally:
                await close_database()
        finally:
            await drop_database(name)
    print(f"\nwhat the import wrote:\n{summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    add_data_date_argument(parser)
    args = parser.parse_args()
    document = demo_document(args.clients, today=args.data_date)
    clients = sum(len(tenant["clients"]) for tenant in document["tenants"])
    print(f"{os.cpu_count()} cores; demo document of {clients:,} clients (two tenants)")
    asyncio.run(measure(document, args.repeat))


if __name__ == "__main__":
    main()
