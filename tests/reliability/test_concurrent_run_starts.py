"""Concurrency: many runBulk calls at once for one tenant, through the API, start exactly one run;
every other call is told RUN_IN_PROGRESS. Repeated over several trials.

(tests/billing/test_concurrency.py races `start_invoice_run` itself and chunks billed twice at
once; tests/workers/test_scheduler.py races two schedulers in one process.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

import httpx
import pytest

from billing.audit.actions import AuditAction
from billing.runs.lifecycle import RunStatus
from orm.models import AuditEvent, InvoiceRun
from tests.graph.conftest import make_team
from tests.support.factories import make_client, make_service

pytestmark = pytest.mark.asyncio

TRIALS = 5
CALLS = 16
RUN_BULK = """mutation($d: Date) { runBulk(input: {billingDate: $d}) {
  run { id } errors { code } } }"""


async def test_many_run_starts_at_once_through_the_api_start_exactly_one_run(
    api: httpx.AsyncClient,
) -> None:
    team = await make_team("acme")
    await make_service(await make_client(team.tenant, "c-1"))

    for trial in range(TRIALS):
        billing_date = (date(2026, 11, 20) + timedelta(days=trial)).isoformat()
        responses = await asyncio.gather(
            *(
                api.post(
                    "/graphql",
                    json={"query": RUN_BULK, "variables": {"d": billing_date}},
                    headers=team.editor.headers,
                )
                for _ in range(CALLS)
            )
        )
        payloads = [response.json()["data"]["runBulk"] for response in responses]
        started = [p["run"]["id"] for p in payloads if p["run"] is not None]
        refusals = Counter(error["code"] for p in payloads for error in p["errors"])
        assert len(started) == 1, payloads
        assert refusals == {"RUN_IN_PROGRESS": CALLS - 1}
        # The run ends, so the next trial may start one.
        await InvoiceRun.filter(id=int(started[0])).update(status=RunStatus.COMPLETED)

    print(f"{TRIALS} trials of {CALLS} simultaneous runBulk calls: one run and the rest refused")
    assert await InvoiceRun.filter(tenant=team.tenant).count() == TRIALS
    assert await AuditEvent.filter(action=AuditAction.RUN).count() == TRIALS
