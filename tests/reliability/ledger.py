"""A tenant of thousands of clients with mixed billing data, what a run on it must bill, and the
check that a finished run billed exactly that: every due period and charge once, nothing else.

The expectation is computed here from the data as built, independently of the run engine:
clients whose number ends in 7 are blocked (never billed); every third client's service is two
months behind (two periods due); every fifth client has a one-time charge due, every thirteenth
one scheduled after the billing date (not due).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from billing.runs.lifecycle import ChunkStatus, RunStatus
from orm.db import connection
from orm.models import Charge, Client, InvoiceRun, RunChunk, RunError, Service, Tenant

BILLING_DATE = date(2026, 11, 20)
NEXT_PERIOD = date(2026, 12, 1)
SERVICE_CENTS = 2_999
CHARGE_CENTS = 1_500


@dataclass(frozen=True, slots=True)
class Ledger:
    """What a run on BILLING_DATE must bill for the tenant."""

    tenant_id: int
    eligible_client_ids: frozenset[int]
    service_periods: frozenset[tuple[int, date]]
    charge_ids: frozenset[int]
    invoice_totals: dict[int, int]  # client id → total in cents

    @property
    def invoices(self) -> int:
        return len(self.invoice_totals)

    @property
    def amount_cents(self) -> int:
        return sum(self.invoice_totals.values())


def _due_periods(next_bill_date: date) -> list[date]:
    """Monthly periods starting on the 1st, from the next bill date up to the billing date."""
    periods, start = [], next_bill_date
    while start <= BILLING_DATE:
        periods.append(start)
        start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return periods


async def build_ledger(tenant: Tenant, clients: int) -> Ledger:
    """Write `clients` clients of the tenant with their services and charges, in bulk."""
    await Client.bulk_create(
        [
            Client(
                tenant_id=tenant.id,
                key=f"c-{n:06}",
                name=f"Client {n:06}",
                email=f"c{n}@example.test",
                blocked=n % 10 == 7,
            )
            for n in range(clients)
        ],
        batch_size=1000,
    )
    rows = await Client.filter(tenant_id=tenant.id).order_by("id").values_list("id", "key")
    client_ids = {int(key[2:]): client_id for client_id, key in rows}
    await Service.bulk_create(
        [
            Service(
                tenant_id=tenant.id,
                client_id=client_ids[n],
                key="fiber",
                description="Fiber 300",
                price_cents=SERVICE_CENTS,
                quantity=1,
                next_bill_date=date(2026, 10, 1) if n % 3 == 0 else date(2026, 11, 1),
                anchor_day=1,
            )
            for n in range(clients)
        ],
        batch_size=1000,
    )
    await Charge.bulk_create(
        [
            Charge(
                tenant_id=tenant.id,
                client_id=client_ids[n],
                key="router",
                description="Router",
                amount_cents=CHARGE_CENTS,
                scheduled_on=date(2026, 12, 10) if n % 13 == 0 else date(2026, 11, 10),
            )
            for n in range(clients)
            if n % 5 == 1 or n % 13 == 0
        ],
        batch_size=1000,
    )
    return await expected_ledger(tenant.id)


async def expected_ledger(tenant_id: int) -> Ledger:
    """What a run must bill, read from the data before the run."""
    eligible = set(
        await Client.filter(tenant_id=tenant_id, blocked=False).values_list("id", flat=True)
    )
    totals: Counter[int] = Counter()
    periods = set()
    for service_id, client_id, next_bill_date in await Service.filter(
        tenant_id=tenant_id, client_id__in=list(eligible)
    ).values_list("id", "client_id", "next_bill_date"):
        for start in _due_periods(next_bill_date):
            periods.add((service_id, start))
            totals[client_id] += SERVICE_CENTS
    charges = set()
    for charge_id, client_id in await Charge.filter(
        tenant_id=tenant_id, client_id__in=list(eligible), scheduled_on__lte=BILLING_DATE
    ).values_list("id", "client_id"):
        charges.add(charge_id)
        totals[client_id] += CHARGE_CENTS
    return Ledger(tenant_id, frozenset(eligible), frozenset(periods), frozenset(charges), totals)


async def _rows(sql: str, *params: object) -> list[dict]:
    return await connection().execute_query_dict(sql, list(params))


async def assert_billed_exactly_once(ledger: Ledger, run_id: int) -> None:
    """The run completed and billed each due period and charge once, numbered 1..N without a
    gap, and its counters equal what is in the tables."""
    run = await InvoiceRun.get(id=run_id)
    assert run.status == RunStatus.COMPLETED and run.finished_at is not None, run.status

    lines = await _rows(
        "SELECT l.service_id, l.period_start, l.charge_id FROM invoice_lines l "
        "JOIN invoices i ON i.id = l.invoice_id WHERE i.tenant_id = $1 AND l.live",
        ledger.tenant_id,
    )
    billed_periods = Counter(
        (r["service_id"], r["period_start"]) for r in lines if r["service_id"] is not None
    )
    billed_charges = Counter(r["charge_id"] for r in lines if r["charge_id"] is not None)
    doubled = [key for key, times in (billed_periods + billed_charges).items() if times > 1]
    assert not doubled, f"billed more than once: {doubled[:5]}"
    assert set(billed_periods) == ledger.service_periods, "service periods lost or extra"
    assert set(billed_charges) == ledger.charge_ids, "one-time charges lost or extra"

    invoices = await _rows(
        "SELECT i.client_id, i.number, i.total_cents, i.status, "
        "(SELECT sum(amount_cents) FROM invoice_lines l WHERE l.invoice_id = i.id) AS lines "
        "FROM invoices i WHERE i.tenant_id = $1",
        ledger.tenant_id,
    )
    assert {r["client_id"]: r["total_cents"] for r in invoices} == ledger.invoice_totals
    assert len(invoices) == ledger.invoices, "an invoice lost or doubled"
    assert all(r["total_cents"] == r["lines"] for r in invoices), "a total differs from its lines"
    assert {r["status"] for r in invoices} == {"unpaid"}
    numbers = sorted(r["number"] for r in invoices)
    assert numbers == [f"INV-{n:06}" for n in range(1, ledger.invoices + 1)], "numbers not 1..N"
    tenant = await Tenant.get(id=ledger.tenant_id)
    assert tenant.invoice_sequence == ledger.invoices

    assert not await Service.filter(
        tenant_id=ledger.tenant_id, client_id__in=list(ledger.eligible_client_ids)
    ).exclude(next_bill_date=NEXT_PERIOD), "a billed service's schedule did not move on"
    assert await Charge.filter(id__in=list(ledger.charge_ids), status="invoiced").count() == len(
        ledger.charge_ids
    )

    chunks_done = await RunChunk.filter(run_id=run_id, status=ChunkStatus.DONE).count()
    assert (run.chunks_done, run.chunks_total) == (chunks_done, chunks_done)
    assert not await RunChunk.filter(run_id=run_id, status=ChunkStatus.PENDING).exists()
    assert run.clients_total == run.clients_processed == len(ledger.eligible_client_ids)
    assert run.invoices_issued == ledger.invoices
    assert run.amount_issued_cents == ledger.amount_cents
    assert run.errors_count == await RunError.filter(run_id=run_id).count() == 0
