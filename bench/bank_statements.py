"""How fast a 10,000-entry CAMT.053 statement is read, matched and imported at 1,000,000 invoices.

Two parts. The pure part writes the statement with `billing.bank_statements.samples` (most
entries naming an invoice, some naming none, some outgoing, some in another currency) and times
each step of reading and matching it against 1,000,000 open invoices computed from their number
(no database). The import part (`--import`) builds a scratch PostgreSQL database as
`bench.api_latency` does (the demo tenant with history up to 1,000,000 invoices, a tenth of them
open), writes a statement whose entries name open invoices of that tenant (paying them off), pay
an open balance without naming it, pay out, or come in another currency, and times the product's
own `import_bank_statement` end to end (one transaction: parse, match, store, record a payment
per matched entry), the same file again (every entry a DUPLICATE), and the suggestions of the
unmatched entries as the API reads them. Not a test.

    .venv/bin/python -m bench.bank_statements [--entries 10000] [--invoices 1000000]
    .venv/bin/python -m bench.bank_statements --import [--database NAME] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TypeVar

import asyncpg

from billing.bank_statements import (
    BankEntry,
    ClientNames,
    Direction,
    OpenInvoice,
    OpenInvoiceIndex,
    candidate_amounts,
    candidate_numbers,
    match_entries,
    parse_camt053,
)
from billing.bank_statements.samples import SampleEntry, camt053_document
from orm.models import BankStatement, Tenant

PREFIX = "INV-"
PRICES = (1990, 2990, 3990, 4990, 5990, 7990, 9990)
FIRST_NAMES = ("Anna", "Jürgen", "Zoë", "Luca", "Mia", "Noah", "Élise", "Piotr", "Sofía", "Omar")
SYLLABLES = (
    "ka",
    "ro",
    "lin",
    "mu",
    "ler",
    "no",
    "vak",
    "gar",
    "ci",
    "ros",
    "si",
    "berg",
    "man",
    "ski",
    "ez",
    "ta",
    "vi",
    "o",
    "sen",
    "dor",
)
SUGGESTIONS_PER_AMOUNT = 5
FIRST_DUE = date(2020, 1, 1)
T = TypeVar("T")


class OpenInvoiceTable:
    """Open invoices 1…N computed from their number: what the database holds, by its indexes."""

    def __init__(self, invoices: int, clients: int) -> None:
        self.invoices = invoices
        self.clients = clients

    def client_name(self, client_id: int) -> str:
        """A first name and a family name spelled from the id: few clients share a name."""
        family, rest = "", client_id // len(FIRST_NAMES)
        while True:
            rest, syllable = divmod(rest, len(SYLLABLES))
            family += SYLLABLES[syllable]
            if not rest:
                break
        return f"{FIRST_NAMES[client_id % len(FIRST_NAMES)]} {family.capitalize()}"

    def row(self, sequence: int) -> OpenInvoice:
        client_id = sequence % self.clients + 1
        return OpenInvoice(
            invoice_id=sequence,
            number=f"{PREFIX}{sequence:06d}",
            client_id=client_id,
            client_name=self.client_name(client_id),
            balance_minor_units=PRICES[sequence % len(PRICES)],
            due_on=FIRST_DUE + timedelta(days=sequence // 1000),
        )

    def by_numbers(self, numbers: Iterable[str]) -> list[OpenInvoice]:
        """`WHERE number IN (…)`: the open invoices among the numbers."""
        sequences = (int(number[len(PREFIX) :]) for number in numbers)
        return [self.row(n) for n in sequences if 1 <= n <= self.invoices]

    def oldest_by_balance(self, amounts: Iterable[int]) -> list[OpenInvoice]:
        """The few oldest open invoices per balance (a window query on balance, due date)."""
        rows = []
        for amount in amounts:
            if amount in PRICES:
                first = PRICES.index(amount) or len(PRICES)
                rows += [self.row(first + k * len(PRICES)) for k in range(SUGGESTIONS_PER_AMOUNT)]
        return rows

    def of_clients(self, client_ids: Iterable[int]) -> list[OpenInvoice]:
        """`WHERE client_id IN (…)`: the clients' open invoices."""
        per_client = self.invoices // self.clients
        return [
            self.row(k * self.clients + client_id - 1)
            for client_id in client_ids
            for k in range(per_client)
            if k * self.clients + client_id - 1 >= 1
        ]


def statement_entries(table: OpenInvoiceTable, count: int, seed: int) -> list[SampleEntry]:
    """70 % naming an invoice, 15 % naming none, 10 % outgoing, 5 % in US dollars."""
    rng = random.Random(seed)
    day = date(2026, 11, 30)
    entries = []
    for index in range(count):
        invoice = table.row(rng.randint(1, table.invoices))
        payer = table.client_name(invoice.client_id).upper()
        roll = rng.random()
        reference = f"B{index:08d}"
        if roll < 0.85:
            # The invoice's open balance, with its number in the text or (from 70 %) none.
            if roll < 0.70:
                text = f"Rechnung {invoice.number} Kundennr {invoice.client_id}"
            else:
                text = "Internet Oktober"
            entries.append(
                SampleEntry(
                    day,
                    invoice.balance_minor_units,
                    "EUR",
                    bank_reference=reference,
                    counterparty=payer,
                    text=text,
                )
            )
        elif roll < 0.95:
            entries.append(
                SampleEntry(
                    day,
                    120000,
                    "EUR",
                    Direction.DEBIT,
                    bank_reference=reference,
                    counterparty="Wholesale AG",
                    text="Backhaul",
                )
            )
        else:
            entries.append(
                SampleEntry(
                    day,
                    4990,
                    "USD",
                    bank_reference=reference,
                    counterparty=payer,
                    text=invoice.number,
                )
            )
    return entries


def timed(label: str, step: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    wall_ms = (time.perf_counter() - wall) * 1000
    cpu_ms = (time.process_time() - cpu) * 1000
    print(f"{label:<44} {wall_ms:9.1f} ms wall {cpu_ms:9.1f} ms CPU")
    return result


def run(entries_count: int, invoices: int, clients: int, seed: int) -> None:
    table = OpenInvoiceTable(invoices, clients)
    document = camt053_document(statement_entries(table, entries_count, seed)).encode()
    print(
        f"{os.cpu_count()} cores; {entries_count:,} entries ({len(document) / 1e6:.1f} MB CAMT.053)"
        f" against {invoices:,} open invoices of {clients:,} clients"
    )
    started = time.perf_counter()
    statement = timed("parse CAMT.053", lambda: parse_camt053(document))
    entries: list[BankEntry] = list(statement.entries)
    numbers = timed("candidate numbers and amounts", lambda: candidate_numbers(entries, PREFIX))
    amounts = candidate_amounts(entries, "EUR")
    names = timed(
        "client names index (all clients)",
        lambda: ClientNames((k, table.client_name(k)) for k in range(1, clients + 1)),
    )
    named = timed(
        "clients named in counterparties",
        lambda: set().union(*(names.named_in(entry.counterparty) for entry in entries)),
    )
    rows = timed(
        "lookup of candidates (stands for SQL)",
        lambda: (
            table.by_numbers(numbers) + table.oldest_by_balance(amounts) + table.of_clients(named)
        ),
    )
    index = timed(f"index of {len(rows):,} candidate invoices", lambda: OpenInvoiceIndex(rows))
    matches = timed("match every entry", lambda: match_entries(entries, index, "EUR"))
    total = time.perf_counter() - started
    counts: dict[str, int] = {}
    for match in matches:
        counts[match.status.value] = counts.get(match.status.value, 0) + 1
    print(f"{'total':<44} {total * 1000:9.1f} ms wall; {counts}")


def open_invoice_entries(
    rows: list[asyncpg.Record], count: int, currency: str, seed: int
) -> list[SampleEntry]:
    """70 % naming an open invoice with its balance, 15 % an open balance without a number,
    10 % outgoing, 5 % in another currency; each open invoice named at most once."""
    rng = random.Random(seed)
    other_currency = "EUR" if currency != "EUR" else "USD"
    day = date(2026, 11, 30)
    entries = []
    for index in range(count):
        number, balance, name = rows[index % len(rows)]
        roll = rng.random()
        reference = f"IMP{seed}-{index:08d}"
        if roll < 0.70:
            entry = SampleEntry(
                day,
                balance,
                currency,
                bank_reference=reference,
                counterparty=name.upper(),
                text=f"Invoice {number} thank you",
            )
        elif roll < 0.85:
            entry = SampleEntry(
                day,
                balance,
                currency,
                bank_reference=reference,
                counterparty="A N OTHER",
                text="Internet October",
            )
        elif roll < 0.95:
            entry = SampleEntry(
                day,
                120000,
                currency,
                Direction.DEBIT,
                bank_reference=reference,
                counterparty="Wholesale AG",
                text="Backhaul",
            )
        else:
            entry = SampleEntry(
                day,
                4990,
                other_currency,
                bank_reference=reference,
                counterparty=name.upper(),
                text=number,
            )
        entries.append(entry)
    return entries


async def timed_import(tenant: Tenant, document: bytes, label: str) -> BankStatement:
    from billing.bank_statements.importing import import_bank_statement

    started, cpu = time.perf_counter(), time.process_time()
    statement = await import_bank_statement(
        tenant=tenant, user_id=None, content=document, statement_format="CAMT053"
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label:<44} {elapsed * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms CPU; "
        f"{statement.matched_count} matched, "
        f"{statement.unmatched_count} unmatched, {statement.duplicate_count} duplicate, "
        f"{statement.ignored_count} ignored",
        flush=True,
    )
    return statement


async def measure_import(database: str, entries_count: int, seed: int) -> None:
    from bench.scratch import DEMO_TENANT, database_url
    from billing.bank_statements.suggestions import suggested_invoice_ids
    from orm.db import close_database, open_database
    from orm.models import BankStatementEntry

    conn = await asyncpg.connect(database_url(database))
    try:
        tenant_id, currency = await conn.fetchrow(
            "SELECT id, currency FROM tenants WHERE key = $1", DEMO_TENANT
        )
        invoices, open_count = await conn.fetchrow(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('unpaid', 'partial') "
            "AND balance_cents > 0) FROM invoices WHERE tenant_id = $1",
            tenant_id,
        )
        rows = await conn.fetch(
            "SELECT i.number, i.balance_cents, c.name FROM invoices i "
            "JOIN clients c ON c.id = i.client_id WHERE i.tenant_id = $1 "
            "AND i.status IN ('unpaid', 'partial') AND i.balance_cents > 0 "
            "ORDER BY md5(i.id::text || $2) LIMIT $3",
            tenant_id,
            str(seed),
            entries_count,
        )
    finally:
        await conn.close()
    document = camt053_document(
        open_invoice_entries(list(rows), entries_count, currency, seed), currency=currency
    ).encode()
    print(
        f"import: {entries_count:,} entries ({len(document) / 1e6:.1f} MB CAMT.053) against "
        f"{invoices:,} invoices of the tenant, {open_count:,} of them open",
        flush=True,
    )
    await open_database(database_url(database))
    try:
        tenant = await Tenant.get(id=tenant_id)
        first = await timed_import(tenant, document, "import and match")
        await timed_import(tenant, document, "the same file again")
        waiting = await BankStatementEntry.filter(statement_id=first.id, status="UNMATCHED")
        started, cpu = time.perf_counter(), time.process_time()
        found = await suggested_invoice_ids(tenant, waiting)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        with_some = sum(1 for ids in found.values() if ids)
        print(
            f"{'suggestions of the unmatched entries':<44} {elapsed * 1000:9.1f} ms wall "
            f"{cpu * 1000:9.1f} ms CPU; "
            f"{len(waiting)} entries, {with_some} with suggestions"
        )
    finally:
        await close_database()


def run_import_bench(arguments: argparse.Namespace) -> None:
    from bench.api_latency import prepare
    from bench.scratch import drop_database, scratch_name

    print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
    database = arguments.database or scratch_name("bank")
    try:
        if not arguments.database:
            asyncio.run(
                prepare(database, arguments.clients_import, arguments.invoices, date(2026, 11, 1))
            )
        asyncio.run(measure_import(database, arguments.entries, arguments.seed))
    finally:
        if not arguments.database and not arguments.keep:
            asyncio.run(drop_database(database))
        elif not arguments.database:
            print(f"kept database {database}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--import",
        dest="import_",
        action="store_true",
        help="import the statement into a scratch PostgreSQL database instead",
    )
    parser.add_argument(
        "--clients-import", type=int, default=20_000, help="demo clients of the import's database"
    )
    parser.add_argument(
        "--database", help="use this prepared database (kept) instead of building one"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database it builds")
    arguments = parser.parse_args()
    if arguments.import_:
        run_import_bench(arguments)
        return
    run(arguments.entries, arguments.invoices, arguments.clients, arguments.seed)


if __name__ == "__main__":
    main()
