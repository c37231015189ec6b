"""Concurrency: schedulers in separate processes, released at the same moment on a cycle day,
start exactly one run per tenant between them, however often each ticks.

(tests/workers/test_scheduler.py races two schedulers within one process.)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter

import pytest

from billing.runs.lifecycle import RunTrigger
from orm.models import InvoiceRun
from tests.support.factories import make_client, make_service, make_tenant
from tests.support.worker_process import ROOT

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

PROCESSES = 4
TENANTS = 20
TICKS = 3
CYCLE_DAY_MORNING = "2026-12-05T09:00:00+00:00"
STARTUP_SECONDS = 60


async def start_scheduler(database_url: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.reliability.scheduler_process",
        database_url,
        CYCLE_DAY_MORNING,
        str(TICKS),
        cwd=ROOT,
        env={**os.environ, "ISPBOX_BROKER_URL": "memory://"},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    ready = await asyncio.wait_for(process.stdout.readline(), STARTUP_SECONDS)
    assert ready.strip() == b"ready", ready
    return process


async def release(process: asyncio.subprocess.Process) -> list[int]:
    """Let the scheduler tick; the ids of the runs it started."""
    output, _ = await asyncio.wait_for(process.communicate(b"go\n"), STARTUP_SECONDS)
    assert process.returncode == 0
    return json.loads(output.decode().strip().splitlines()[-1])


async def test_schedulers_in_separate_processes_start_one_run_per_tenant(db: str) -> None:
    tenants = []
    for n in range(TENANTS):
        tenant = await make_tenant(f"isp-{n}", auto_generate=True, billing_cycle_day=5)
        await make_service(await make_client(tenant, "c-1"))
        tenants.append(tenant.id)
    schedulers = await asyncio.gather(*(start_scheduler(db) for _ in range(PROCESSES)))

    started = await asyncio.gather(*(release(process) for process in schedulers))

    ids = [run_id for per_process in started for run_id in per_process]
    print(
        f"{PROCESSES} scheduler processes × {TICKS} ticks over {TENANTS} tenants: "
        f"runs started per process {[len(s) for s in started]}"
    )
    assert sorted(ids) == sorted(set(ids)), "a run was reported by two schedulers"
    runs = await InvoiceRun.all().values_list("id", "tenant_id", "trigger", "schedule_slot")
    assert sorted(run[0] for run in runs) == sorted(ids)
    assert Counter(run[1] for run in runs) == Counter(tenants), "not one run per tenant"
    assert {(run[2], run[3].isoformat()) for run in runs} == {(RunTrigger.SCHEDULE, "2026-12-05")}
