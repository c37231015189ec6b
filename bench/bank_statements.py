"""How fast a 10,000-entry CAMT.053 statement is read and matched against 1,000,000 open invoices.

Writes the statement with `billing.bank_statements.samples` (most entries naming an invoice,
some naming none, some outgoing, some in another currency), then times each step the import
takes: parsing, finding the candidate numbers and amounts, looking the candidates up among the
open invoices, building the index and matching every entry. The open invoices are a table
computed from the invoice number (no database): the lookup stands for the indexed queries the
import makes, the rest is the product's own code. Not a test.

    .venv/bin/python -m bench.bank_statements [--entries 10000] [--invoices 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TypeVar

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    run(arguments.entries, arguments.invoices, arguments.clients, arguments.seed)


if __name__ == "__main__":
    main()
