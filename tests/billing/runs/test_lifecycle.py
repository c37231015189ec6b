"""Which runs are active: stated once, and every other place that needs it agrees."""

from __future__ import annotations

import importlib
import re

from billing.runs.lifecycle import (
    ACTIVE_RUN_STATUSES,
    WORK_STOPPED_RUN_STATUSES,
    WORKING_RUN_STATUSES,
    RunStatus,
)
from dashboard import models as dashboard

INDEXES = importlib.import_module("orm.migrations.0002_integrity_and_search_indexes")


def test_the_one_active_run_index_holds_exactly_the_active_statuses() -> None:
    [index] = [sql for sql in INDEXES.PORTABLE_INDEXES if "uniq_active_run_per_tenant" in sql]
    listed = re.search(r"status IN \(([^)]*)\)", index).group(1)

    assert {status.strip(" '") for status in listed.split(",")} == set(ACTIVE_RUN_STATUSES)


def test_the_workers_resume_the_active_runs_but_the_one_awaiting_review() -> None:
    assert set(WORKING_RUN_STATUSES) == {RunStatus.QUEUED, RunStatus.RUNNING}
    assert not set(WORKING_RUN_STATUSES) & set(WORK_STOPPED_RUN_STATUSES)


def test_the_dashboard_calls_active_the_runs_the_api_refuses_another_run_for() -> None:
    active = {status.value for status in dashboard.ACTIVE_RUN_STATUSES}
    working = {status.value for status in dashboard.WORKING_RUN_STATUSES}

    assert active == {status.name for status in ACTIVE_RUN_STATUSES}
    assert working == {status.name for status in WORKING_RUN_STATUSES}
