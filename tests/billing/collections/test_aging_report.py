"""The aging report from the owed totals per due date that triggers keep: the same buckets as
the pure rule over the invoices themselves, through issues, payments, voids, deletes and folds,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.collections.aging import aging_totals
from billing.collections.aging_report import aging_report, fold_due_totals
from orm.models import Invoice, InvoiceDueTotals, Tenant
from tests.support.builders import make_client, make_invoice, make_tenant
from tests.support.database import empty_all_tables

AS_OF = date(2026, 11, 30)

steps = st.lists(
    st.tuples(
        st.sampled_from(["issue", "pay", "void", "delete", "move", "fold"]),
        st.integers(0, 120),
        st.integers(1, 900),
    ),
    min_size=1,
    max_size=12,
)


async def expected(tenant: Tenant) -> list[tuple[int, int]]:
    rows = await Invoice.filter(tenant_id=tenant.id, status__in=["unpaid", "partial"]).values_list(
        "balance_cents", "due_on"
    )
    return [(total.count, total.balance) for total in aging_totals(rows, AS_OF)]


async def reported(tenant: Tenant) -> list[tuple[int, int]]:
    report = await aging_report(tenant, AS_OF)
    return [(total.count, total.balance) for total in report.buckets]


@pytest.mark.asyncio
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=steps)
async def test_the_report_from_kept_totals_matches_the_invoices(db: str, changes) -> None:
    await empty_all_tables()
    tenant = await make_tenant()
    other = await make_tenant("globex")
    client = await make_client(tenant, "c")
    await make_invoice(await make_client(other, "g"), "G-1", due_on=AS_OF - timedelta(days=40))
    made: list[int] = []
    for n, (kind, days, amount) in enumerate(changes):
        target = made[amount % len(made)] if made else None
        if kind == "issue" or target is None:
            due = AS_OF - timedelta(days=days - 20)
            invoice = await make_invoice(client, f"I-{n}", due_on=due, total=f"{amount}.00")
            made.append(invoice.id)
        elif kind == "pay":
            invoice = await Invoice.get(id=target)
            balance = max(0, invoice.balance_cents - amount * 50)
            status = "paid" if balance == 0 else "partial"
            if invoice.status in ("unpaid", "partial"):
                await Invoice.filter(id=target).update(balance_cents=balance, status=status)
        elif kind == "void":
            await Invoice.filter(id=target, status="unpaid").update(status="void", balance_cents=0)
        elif kind == "delete":
            await Invoice.filter(id=target).delete()
            made.remove(target)
        elif kind == "move":
            await Invoice.filter(id=target).update(due_on=AS_OF - timedelta(days=days))
        else:
            await fold_due_totals(tenant.id)
        assert await reported(tenant) == await expected(tenant)
    await fold_due_totals(tenant.id)
    assert await reported(tenant) == await expected(tenant)
    assert not await InvoiceDueTotals.filter(tenant_id=tenant.id, invoice_count=0).exists()
