"""Who runs bill: one rule, asked in Python and written into the run selection's SQL."""

from __future__ import annotations

import itertools

import pytest

from billing.clients.eligibility import ClientStatus, billed_by_runs, billed_by_runs_sql
from orm.db import connection, placeholders
from tests.support.factories import make_client, make_tenant


@pytest.mark.parametrize(
    ("status", "blocked", "billed"),
    [
        (ClientStatus.ACTIVE, False, True),
        (ClientStatus.OVERDUE, False, True),
        (ClientStatus.ACTIVE, True, False),
        (ClientStatus.SUSPENDED, False, False),
        (ClientStatus.INACTIVE, False, False),
    ],
)
def test_runs_bill_active_and_overdue_clients_that_are_not_blocked(
    status: ClientStatus, blocked: bool, billed: bool
) -> None:
    assert billed_by_runs(status, blocked) is billed


@pytest.mark.asyncio
async def test_the_run_selections_sql_bills_exactly_the_clients_the_rule_bills(db: str) -> None:
    tenant = await make_tenant()
    clients = [
        await make_client(tenant, f"c{n}", status=status, blocked=blocked)
        for n, (status, blocked) in enumerate(itertools.product(ClientStatus, (False, True)))
    ]
    conn = connection()
    [tenant_mark] = placeholders(conn, 1)

    billed = billed_by_runs_sql("c")
    rows = await conn.execute_query_dict(
        f"SELECT c.id FROM clients c WHERE c.tenant_id = {tenant_mark} AND {billed}", [tenant.id]
    )

    expected = {client.id for client in clients if billed_by_runs(client.status, client.blocked)}
    assert {row["id"] for row in rows} == expected
