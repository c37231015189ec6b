"""How long a run's decision takes per client, in Python alone: `bill_client` (periods, lines,
taxes) over the demo generator's clients, no database. The in-process part of a run's worker CPU
that does not depend on PostgreSQL. Not a test: nothing asserts.

    .venv/bin/python -m bench.run_decisions --clients 100000 [--tax-rate 20 [--prices-include-tax]]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from decimal import Decimal

from bench.scratch import add_data_date_argument
from billing.imports.demo_data import demo_document
from billing.money import to_minor_units
from billing.periods import ServicePeriod
from billing.runs.decide import DueCharge, DueService, TaxTerms, bill_client

Due = tuple[int, list[DueService], list[DueCharge]]


def due_by_client(clients: int, data_date: date, run_date: date) -> tuple[list[Due], str]:
    """What a run on `run_date` bills each billable client of the demo's first tenant: its
    active, billable services due by then and its pending charges (live periods aside: the
    demo's history ends before each service's next bill date)."""
    tenant = demo_document(clients, today=data_date)["tenants"][0]
    currency = tenant["currency"]
    due: list[Due] = []
    service_id = 0
    for client_id, client in enumerate(tenant["clients"], start=1):
        if client["status"] not in ("active", "overdue") or client["blocked"]:
            continue
        services = []
        for record in client["services"]:
            service_id += 1
            next_bill_date = date.fromisoformat(record["next_bill_date"])
            if record["status"] != "active" or not record["billable"] or next_bill_date > run_date:
                continue
            services.append(
                DueService(
                    id=service_id,
                    client_id=client_id,
                    description=record["description"],
                    price_cents=to_minor_units(record["price"], currency),
                    quantity=Decimal(record["quantity"]),
                    period=ServicePeriod(record["period"]),
                    next_bill_date=next_bill_date,
                    anchor_day=next_bill_date.day,
                    auto_email=record["auto_email"],
                )
            )
        charges = [
            DueCharge(
                id=position,
                client_id=client_id,
                description=record["description"],
                amount_cents=to_minor_units(record["amount"], currency),
                scheduled_on=date.fromisoformat(record["scheduled_on"]),
            )
            for position, record in enumerate(client["charges"], start=1)
            if record["status"] == "pending" and record["scheduled_on"] <= run_date.isoformat()
        ]
        if services or charges:
            due.append((client_id, services, charges))
    return due, currency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    add_data_date_argument(parser)
    parser.add_argument("--billing-date", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--tax-rate", type=Decimal, default=None, help="the default rate, percent")
    parser.add_argument("--prices-include-tax", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    due, _ = due_by_client(args.clients, args.data_date, args.billing_date)
    terms = TaxTerms(args.prices_include_tax, args.tax_rate)
    lines = sum(
        len(bill_client(c, s, ch, {}, args.billing_date, True, tax_terms=terms).lines)
        for c, s, ch in due
    )
    print(
        f"cores: {os.cpu_count()}; {len(due):,} clients with something due, {lines:,} lines; "
        f"default tax rate {args.tax_rate}, prices include tax: {args.prices_include_tax}"
    )
    for attempt in range(1, args.repeat + 1):
        load = os.getloadavg()[0]
        started = time.process_time()
        for client_id, services, charges in due:
            bill_client(client_id, services, charges, {}, args.billing_date, True, tax_terms=terms)
        cpu = time.process_time() - started
        print(
            f"measurement {attempt} (load average {load:.2f}): {cpu:.2f} s of CPU = "
            f"{cpu / len(due) * 1e6:.1f} µs per client",
            flush=True,
        )


if __name__ == "__main__":
    main()
