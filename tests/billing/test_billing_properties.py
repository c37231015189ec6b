"""Property: whatever sequence of issuing runs, review runs, finalizes, discards, voids with or
without reset and changes of a service's period or anchor day happens, no day of a service is
billed by two live lines, a period written off by a void is never billed again, and after a final
catch-up run every period a void with reset put back is billed again, exactly once."""

from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.errors import BillingRuleError
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.void import void_invoice
from billing.money import line_amount_cents
from billing.periods import ServicePeriod, add_months, periods_due
from billing.runs.lifecycle import RunStatus
from billing.runs.review import discard_invoice_run, finalize_invoice_run
from orm.models import Invoice, InvoiceLine, InvoiceRun, InvoiceTax, Service, Tenant
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
        st.tuples(
            st.just("change"), st.sampled_from(list(ServicePeriod)), st.sampled_from([1, 15, 31])
        ),
    ),
    max_size=8,
)
# The tenant's default rate and whether its prices include tax.
tax_terms = st.sampled_from(
    [(None, False), (Decimal("20"), False), (Decimal("7"), True), (Decimal("0"), True)]
)


async def run_on(tenant: Tenant, run_date: date, review: bool | None = None) -> None:
    """A run on that date as if it were today; a date the bounds refuse changes nothing."""
    with suppress(BillingRuleError):
        await run_invoices(tenant, run_date, review=review, today=run_date)


async def change_schedule(service_id: int, period: ServicePeriod, anchor_day: int) -> None:
    """A service moved to another period or anchor day from its next bill date on."""
    service = await Service.get(id=service_id)
    service.period, service.anchor_day = period, anchor_day
    service.next_bill_date = add_months(service.next_bill_date, 0, anchor_day)
    await service.save()


async def live_service_lines() -> list[tuple[int, date, date, int]]:
    return list(
        await InvoiceLine.filter(live=True, service_id__isnull=False)
        .order_by("service_id", "period_start")
        .values_list("service_id", "period_start", "period_end", "amount_cents")
    )


async def assert_invoices_add_up(prices_include_tax: bool) -> None:
    """Subtotal + tax = total on every invoice; its lines and tax rows add up to them; with
    prices inclusive of tax the total is what was charged."""
    for invoice in await Invoice.all():
        lines = await InvoiceLine.filter(invoice=invoice)
        rows = await InvoiceTax.filter(invoice=invoice).values_list("taxable_cents", "tax_cents")
        assert invoice.subtotal_cents + invoice.tax_cents == invoice.total_cents
        subtotal = sum(line.amount_cents for line in lines)
        assert subtotal == invoice.subtotal_cents == sum(taxable for taxable, _ in rows)
        assert invoice.tax_cents == sum(tax for _, tax in rows)
        if prices_include_tax:
            charged = sum(line_amount_cents(x.unit_price_cents, x.quantity) for x in lines)
            assert invoice.total_cents == charged


async def settle_review(tenant_id: int, finalize: bool) -> None:
    run = await InvoiceRun.get_or_none(tenant_id=tenant_id, status=RunStatus.AWAITING_REVIEW)
    if run is not None:
        decide = finalize_invoice_run if finalize else discard_invoice_run
        await decide(tenant_id=tenant_id, user_id=None, run_id=run.id)


@pytest.mark.asyncio
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(service_specs=services, steps=actions, taxes=tax_terms)
async def test_every_period_is_billed_exactly_once_among_live_invoices(
    db: str, service_specs, steps, taxes
) -> None:
    await empty_all_tables()
    default_rate, inclusive = taxes
    tenant = await make_tenant(default_tax_rate=default_rate, prices_include_tax=inclusive)
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
    put_back: list[tuple[int, date, date]] = []
    rescheduled: set[int] = set()
    last_date = START
    for kind, a, b in steps:
        if kind == "run":
            await settle_review(tenant.id, finalize=True)
            last_date = max(last_date, START + timedelta(days=a))
            await run_on(tenant, START + timedelta(days=a), review=b)
        elif kind == "decide":
            await settle_review(tenant.id, finalize=a)
        elif kind == "change":
            changed = made[len(steps) % len(made)].id
            rescheduled.add(changed)
            await change_schedule(changed, a, b)
        else:
            unpaid = await Invoice.filter(status=InvoiceStatus.UNPAID).order_by("id")
            if unpaid:
                invoice = unpaid[a % len(unpaid)]
                lines = await InvoiceLine.filter(invoice=invoice, service_id__isnull=False)
                await void_invoice(
                    tenant_id=tenant.id,
                    user_id=None,
                    invoice_id=invoice.id,
                    reset_service_schedule=b,
                    reason=None,
                )
                voided = {(line.service_id, line.period_start) for line in lines}
                if b:
                    put_back += [(x.service_id, x.period_start, x.period_end) for x in lines]
                else:
                    written_off |= voided
    await settle_review(tenant.id, finalize=True)
    await run_on(tenant, last_date)

    live = await live_service_lines()
    for (service_id, _, end, _), (next_service_id, next_start, _, _) in pairwise(live):
        assert service_id != next_service_id or end < next_start, "a day is billed twice"
    billed = {(service_id, start) for service_id, start, _, _ in live}
    assert not billed & written_off, "a period written off by a void is billed again"
    for service_id, start, end in put_back:
        if (service_id, start) not in written_off:
            assert any(x[0] == service_id and x[1] <= end and start <= x[2] for x in live), (
                "a period a void with reset put back is not billed again"
            )
    for service in made:
        if service.id in rescheduled:
            continue
        grid = {
            (service.id, p.start)
            for p in periods_due(
                service.next_bill_date, service.period, service.anchor_day, last_date
            )
        }
        mine = {entry for entry in billed if entry[0] == service.id}
        assert mine <= grid
        assert grid - mine <= written_off, "a period up to the last run is neither billed nor void"
    await assert_invoices_add_up(inclusive)
    if inclusive:
        return  # the lines carry the net of their prices
    for service_id, _, _, amount in live:
        price = next(m for m in made if m.id == service_id).price_cents
        assert amount == price
