"""Bad input: thousands of generated requests (schemathesis's GraphQL cases, edge values of every
argument, hostile variables, malformed bodies) against the app in-process. None may fail on the
server: no 5xx, no masked "Unexpected error.", every error a message; a mutation answered with an
error changes nothing."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from billing.invoices.lifecycle import InvoiceStatus
from graph.app import create_app
from tests.graph.conftest import API_URL, make_settings
from tests.reliability.fuzz_cases import (
    edge_requests,
    raw_requests,
    schemathesis_requests,
    variables_requests,
)
from tests.reliability.schema_walk import api_schema
from tests.reliability.snapshot import changed_tables, fingerprint, table_names
from tests.reliability.tenants import OWN_ID, Tenancy, make_tenancy
from tests.support.builders import make_invoice
from tests.support.database import empty_all_tables

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

SCHEMATHESIS_EXAMPLES = 80  # per operation and mode
VARIABLES_EXAMPLES = 100  # per operation
RAW_EXAMPLES = 200
MASKED = "Unexpected error."


def problems_in(response: httpx.Response) -> list[str]:
    """What is wrong with the answer, in words; empty when it is a proper answer."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    try:
        body = response.json()
    except ValueError:
        if response.status_code == 400 and response.text.strip():
            return []  # a malformed request refused with a sentence
        return [f"HTTP {response.status_code} with a body that is not JSON: {response.text[:80]}"]
    if response.status_code != 200 or not isinstance(body, dict):
        return [f"HTTP {response.status_code}: {response.text[:80]}"]
    if "data" not in body and not body.get("errors"):
        return ["neither data nor errors"]
    problems = []
    for error in body.get("errors") or []:
        message = error.get("message")
        if not message:
            problems.append(f"an error without a message: {error}")
        elif message == MASKED:
            problems.append(f"a server fault at {error.get('path')}")
    return problems


def refused(response: httpx.Response) -> bool:
    """The mutation was answered with an error: not JSON, top-level errors, or errors in its
    payload."""
    try:
        body = response.json()
    except ValueError:
        return True
    if not isinstance(body, dict) or body.get("errors"):
        return True
    payloads = (body.get("data") or {}).values()
    return any(not isinstance(p, dict) or p.get("errors") for p in payloads)


async def seeded() -> Tenancy:
    """The data every request starts from: two tenants with aligned ids, invoices of every
    status."""
    await empty_all_tables()
    tenancy = await make_tenancy()
    for status in (InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.PARTIAL):
        await make_invoice(tenancy.acme.client, f"ACME-{status.value}", status=status)
    return tenancy


@asynccontextmanager
async def server_like_client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process; an exception escaping it is a 500 answer, as a server would send."""
    app = create_app(make_settings(db), manage_database=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=API_URL) as client:
        yield client


async def test_generated_requests_never_fail_on_the_server_and_refusals_change_nothing(
    db: str,
) -> None:
    started = time.monotonic()
    requests = (
        schemathesis_requests(SCHEMATHESIS_EXAMPLES)
        + edge_requests(api_schema(), str(OWN_ID))
        + variables_requests(api_schema(), VARIABLES_EXAMPLES)
        + raw_requests(RAW_EXAMPLES)
    )
    generated_in = time.monotonic() - started
    failures: list[str] = []
    outcomes: Counter[str] = Counter()
    tables = await table_names()
    tenancy = await seeded()
    seed = await fingerprint(tables)
    resets = 0

    async with server_like_client(db) as api:
        for request in requests:
            headers = {**tenancy.acme.editor.headers, "Content-Type": "application/json"}
            response = await api.post("/graphql", content=request.body, headers=headers)
            failures += [
                f"{request.source} {request.operation}: {problem} ← {request.body[:300]!r}"
                for problem in problems_in(response)
            ]
            outcomes[f"{request.source}: HTTP {response.status_code}"] += 1
            if request.kind != "mutation":
                continue
            changed = changed_tables(seed, await fingerprint(tables))
            if changed and refused(response):
                failures.append(
                    f"refused {request.operation} changed {changed} ← {request.body[:300]!r}"
                )
            if changed:
                # Every request meets the same data: a change made by one is undone.
                tenancy, resets = await seeded(), resets + 1
                seed = await fingerprint(tables)

    elapsed = time.monotonic() - started
    print(
        f"fuzzed {len(requests)} requests in {elapsed:.1f} s ({generated_in:.1f} s generating, "
        f"data reset after {resets} accepted mutations): "
        + ", ".join(f"{key} ×{count}" for key, count in sorted(outcomes.items()))
    )
    assert failures == [], f"{len(failures)} failures, the first ones:\n" + "\n".join(failures[:60])
    assert len(requests) >= 3_000
