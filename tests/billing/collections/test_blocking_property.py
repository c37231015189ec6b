"""Over random payments and clocks, stored: a client is blocked by collections exactly when one
of its invoices is past grace with a balance and blockAfterGrace is on, and overdue exactly when
one is past due; checked after every day's pass and every payment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.clients.eligibility import BlockedReason, ClientStatus
from orm.models import Client, Invoice
from tests.billing.collections.stored import (
    collections_tenant,
    owed_invoice,
    owing_client,
    pass_day,
    record_payment,
)
from tests.support.database import empty_all_tables

START = date(2026, 5, 1)

invoices = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 10), st.integers(1, 500)), min_size=1, max_size=3
)
# Each day: how many days the clock moves on (a missed day or several), then payments made
# that day as (invoice index, share of its balance in percent).
days = st.lists(
    st.tuples(
        st.integers(1, 6),
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 100)), max_size=2),
    ),
    min_size=1,
    max_size=8,
)


async def assert_standing(client_id: int, today: date, block_after_grace: bool) -> None:
    client = await Client.get(id=client_id)
    owed = await Invoice.filter(client_id=client_id, balance_cents__gt=0).all()
    past_grace = any(today > invoice.grace_until for invoice in owed)
    past_due = any(today > invoice.due_on for invoice in owed)
    blocked_by_collections = client.blocked and client.blocked_reason == BlockedReason.OVERDUE
    assert blocked_by_collections == (block_after_grace and past_grace)
    assert client.blocked == blocked_by_collections  # nothing else blocked it
    assert client.status == (ClientStatus.OVERDUE if past_due else ClientStatus.ACTIVE)


@pytest.mark.asyncio
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(block_after_grace=st.booleans(), invoice_specs=invoices, steps=days)
async def test_blocked_by_collections_iff_past_grace_with_a_balance(
    db: str, block_after_grace: bool, invoice_specs, steps
) -> None:
    await empty_all_tables()
    tenant = await collections_tenant(None, reminder_days=[], block_after_grace=block_after_grace)
    client = await owing_client(tenant)
    made = [
        await owed_invoice(
            client,
            f"INV-{n}",
            issued_on=START + timedelta(days=offset),
            terms_days=0,
            grace_days=grace,
            total=f"{amount}.00",
        )
        for n, (offset, grace, amount) in enumerate(invoice_specs)
    ]
    today = START
    for advance, payments in steps:
        today += timedelta(days=advance)
        await pass_day(tenant, today)
        await assert_standing(client.id, today, block_after_grace)
        for index, percent in payments:
            invoice = await Invoice.get(id=made[index % len(made)].id)
            amount = max(1, invoice.balance_cents * percent // 100)
            if invoice.balance_cents > 0:
                await record_payment(invoice, amount, today)
                await assert_standing(client.id, today, block_after_grace)
