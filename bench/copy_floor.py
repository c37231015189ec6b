"""The floor of a run: the invoice and line rows it wrote, written again straight into the same
tables of a fresh copy of the data with PostgreSQL COPY, in one transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from bench.scratch import database_url


@dataclass(frozen=True, slots=True)
class RunRows:
    """What a run wrote, as plain records in table column order."""

    run: asyncpg.Record
    invoice_columns: list[str]
    invoices: list[tuple[object, ...]]
    line_columns: list[str]
    lines: list[tuple[object, ...]]


async def read_run_rows(database: str, run_id: int) -> RunRows:
    conn = await asyncpg.connect(database_url(database))
    try:
        run = await conn.fetchrow("SELECT * FROM invoice_runs WHERE id = $1", run_id)
        invoices = await conn.fetch("SELECT * FROM invoices WHERE run_id = $1 ORDER BY id", run_id)
        lines = await conn.fetch(
            "SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
            "WHERE i.run_id = $1 ORDER BY l.id",
            run_id,
        )
    finally:
        await conn.close()
    return RunRows(
        run=run,
        invoice_columns=list(invoices[0].keys()),
        invoices=[tuple(row) for row in invoices],
        line_columns=list(lines[0].keys()),
        lines=[tuple(row) for row in lines],
    )


async def copy_seconds(database: str, rows: RunRows) -> float:
    """Seconds to COPY the run's invoices and lines into `database` and commit."""
    conn = await asyncpg.connect(database_url(database))
    try:
        # The run row the invoices refer to (not timed: the floor is the invoices and lines).
        await conn.copy_records_to_table(
            "invoice_runs", records=[tuple(rows.run)], columns=list(rows.run.keys())
        )
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(
                "invoices", records=rows.invoices, columns=rows.invoice_columns
            )
            await conn.copy_records_to_table(
                "invoice_lines", records=rows.lines, columns=rows.line_columns
            )
        return time.perf_counter() - started
    finally:
        await conn.close()
