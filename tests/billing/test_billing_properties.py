"""Property: whatever sequence of issuing runs, review runs, finalizes, discards and voids with or
without reset happens, every service period is billed at most once among live invoices, and
after a final catch-up run every period up to its date is billed or was written off by a void."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.periods import add_months, periods_due
from billing.review import discard_invoice_run, finalize_invoice_run
from billing.void import void_invoice
from orm.models import Invoice, InvoiceLine, InvoiceRun
from orm.models.enums import InvoiceStatus, RunStatus, ServicePeriod
from tests.support.database import empty_all_tables
from tests.support.factories import make_client, make_service, make_tenant
from tests.support.runs import run_invoices

START = date(2026, 1, 1)

services = st.lists(
    st.tuples(
        st.sampled_from(list(ServicePeriod)),
        st.integers(min_value=0, max_value=60),  # days after START of the first bill date
        st.sampled_from([1, 15, 28, 29, 30, 31]),  # anchor day
        st.sampled_from(["9.99", "49.99", "0.00", "120.50"]),
    ),
    min_size=1,
    max_size=3,
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.integers(min_value=0, max_value=400), st.booleans()),
        st.tuples(st.just("void"), st.integers(min_value=0, max_value=20), st.booleans()),
        st.tuples(st.just("decide"), st.booleans(), st.just(None)),
    ),
    max_size=7,
)


async def settle_review(tenant_id: int, finalize: bool) -> None:
    run = await InvoiceRun.get_or_none(tenant_id=tenant_id, status=RunStatus.AWAITING_REVIEW)
    if run is not None:
        decide = finalize_invoice_run if finalize else discard_invoice_run
        await decide(tenant_id=tenant_id, user_id=None, run_id=run.id)


@pytest.mark.asyncio
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(service_specs=services, steps=actions)
async def test_every_period_is_billed_exactly_once_among_live_invoices(
    db: str, service_specs, steps
) -> None:
    await empty_all_tables()
    tenant = await make_tenant()
    client = await make_client(tenant, "c-1")
    made = []
    for n, (period, offset, anchor, price) in enumerate(service_specs):
        first = add_months(START + timedelta(days=offset), 0, anchor)
        made.append(
            await make_service(
                client,
                f"s-{n}",
                period=period,
                price=price,
                next_bill_date=first,
                anchor_day=anchor,
            )
        )
    written_off: set[tuple[int, date]] = set()
    last_date = START
    for kind, a, b in steps:
        if kind == "run":
            await settle_review(tenant.id, finalize=True)
            last_date = max(last_date, START + timedelta(days=a))
            await run_invoices(tenant, START + timedelta(days=a), review=b)
        elif kind == "decide":
            await settle_review(tenant.id, finalize=a)
        else:
            unpaid = await Invoice.filter(status=InvoiceStatus.UNPAID).order_by("id")
            if unpaid:
                invoice = unpaid[a % len(unpaid)]
                lines = await InvoiceLine.filter(invoice=invoice)
                await void_invoice(
                    tenant_id=tenant.id,
                    user_id=None,
                    invoice_id=invoice.id,
                    reset_service_schedule=b,
                    reason=None,
                )
                if not b:
                    written_off |= {(line.service_id, line.period_start) for line in lines}
    await settle_review(tenant.id, finalize=True)
    await run_invoices(tenant, last_date)

    live = await InvoiceLine.filter(live=True, service_id__isnull=False).values_list(
        "service_id", "period_start", "amount_cents"
    )
    billed = [(service_id, start) for service_id, start, _ in live]
    assert len(billed) == len(set(billed)), "a period is billed twice among live invoices"
    for service in made:
        expected = {
            (service.id, p.start)
            for p in periods_due(
                service.next_bill_date, service.period, service.anchor_day, last_date
            )
        }
        mine = {entry for entry in billed if entry[0] == service.id}
        assert mine <= expected
        assert expected - mine <= written_off
    for service_id, _, amount in live:
        price = next(m for m in made if m.id == service_id).price_cents
        assert amount == price
