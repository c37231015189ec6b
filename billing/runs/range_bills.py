"""What a run bills the eligible clients of one id range, decided and not yet written: the run
engine writes these bills (`billing.runs.engine`), the dry run only counts them
(`billing.runs.preview`). One decision for both, so a preview cannot drift from the run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.runs.decide import (
    ClientBill,
    TaxTerms,
    bill_client,
    charge_problem,
    client_exemption,
    exemption_problem,
    service_problem,
)
from billing.runs.selection import (
    due_charges,
    due_services,
    live_periods,
    rebill_periods,
    tax_exempt_clients,
)
from billing.taxes.calculation import TaxExemption
from orm.models import Tenant


@dataclass(frozen=True, slots=True)
class RangeBills:
    """The bills of the range's clients that have something due, by client id order; and the
    clients not billed, with why."""

    bills: list[ClientBill]
    problems_by_client: dict[int, list[str]]


async def decide_range(
    conn: BaseDBAsyncClient,
    tenant: Tenant,
    first_id: int,
    last_id: int,
    run_date: date,
    *,
    locked: bool = True,
) -> RangeBills:
    """Read what is due to the eligible clients in the id range on `run_date` and decide each
    one's bill. `locked` holds the due rows against a concurrent void until the caller's
    transaction ends (a run does; a dry run does not)."""
    services = await due_services(conn, tenant.id, first_id, last_id, run_date, locked=locked)
    charges = await due_charges(conn, tenant.id, first_id, last_id, run_date, locked=locked)
    live = await live_periods(conn, tenant.id, first_id, last_id, run_date)
    put_back = await rebill_periods(conn, tenant.id, first_id, last_id, run_date)
    exempt = await tax_exempt_clients(conn, tenant.id, first_id, last_id)

    services_by_client = defaultdict(list)
    charges_by_client = defaultdict(list)
    problems_by_client: dict[int, list[str]] = defaultdict(list)
    for service in services:
        services_by_client[service.client_id].append(service)
        if problem := service_problem(service, run_date):
            problems_by_client[service.client_id].append(problem)
    for charge in charges:
        charges_by_client[charge.client_id].append(charge)
        if problem := charge_problem(charge):
            problems_by_client[charge.client_id].append(problem)
    due = set(services_by_client) | set(charges_by_client)
    exemptions = tax_exemptions(exempt, due, problems_by_client)

    tax_terms = TaxTerms(tenant.prices_include_tax, tenant.default_tax_rate)
    bills = [
        bill_client(
            client_id,
            services_by_client[client_id],
            charges_by_client[client_id],
            live,
            run_date,
            tenant.auto_email,
            put_back,
            tax_terms=tax_terms,
            exemption=exemptions.get(client_id),
        )
        for client_id in sorted(due)
        if client_id not in problems_by_client
    ]
    return RangeBills(bills=bills, problems_by_client=dict(problems_by_client))


def tax_exemptions(
    exempt: dict[int, str | None], due: set[int], problems_by_client: dict[int, list[str]]
) -> dict[int, TaxExemption]:
    """The exemptions of exempt clients, by client; an exempt client with something due and no
    reason to print is a problem (it is not billed)."""
    exemptions = {}
    for client_id, reason in exempt.items():
        if problem := exemption_problem(client_id, reason):
            if client_id in due:
                problems_by_client[client_id].append(problem)
        elif reason is not None:
            exemptions[client_id] = client_exemption(reason)
    return exemptions
