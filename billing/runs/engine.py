"""The invoice run engine: a run is cut into chunks of clients; each chunk is billed in one
transaction, set-at-a-time, exactly once.

A chunk's transaction moves its schedules, writes its invoices (issued with their numbers, or as
drafts in a review run), lines and charge updates, records the chunk done and adds its progress to
the run; the last chunk to finish sets the run's terminal status, once. A worker killed mid-chunk
rolls the transaction back and the redelivered chunk starts over; a chunk already done is skipped.
Partial unique indexes (one live invoice per service period and per charge, one invoice per client
per run) make double billing impossible in the database whatever happens above it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import DBConnectionError, TransactionManagementError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from billing.dates import due_date, grace_date
from billing.invoices.lifecycle import InvoiceStatus, issued_status
from billing.invoices.numbering import LAST_SEQUENCE, NUMBERS_USED_UP, take_numbers
from billing.payments.credit import apply_credit_to_run_invoices
from billing.runs.decide import ClientBill
from billing.runs.lifecycle import ChunkStatus, RunErrorStage, RunStatus
from billing.runs.range_bills import decide_range
from billing.runs.selection import (
    eligible_client_ids,
    eligible_client_ranges,
    take_rebilled_periods,
)
from billing.tenants.settings import tenant_settings_problems
from orm.bulk import defer_constraint, insert_rows, reserve_ids, set_column_by_id
from orm.db import placeholders
from orm.models import (
    Invoice,
    InvoiceRun,
    RunChunk,
    RunError,
    Tenant,
)

log = logging.getLogger(__name__)

# Failures a later attempt can get past: the database or the network out of reach, a conflict
# with a concurrent transaction. They propagate and the chunk is retried. Every other failure
# (a value too long or too large for its column, a broken constraint, a bug) fails the same way
# on every attempt: it is recorded against the client and the run's other clients are billed.
TRANSIENT_FAILURES: tuple[type[BaseException], ...] = (
    ConnectionError,
    OSError,
    TimeoutError,
    DBConnectionError,
    TransactionManagementError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.TransactionRollbackError,  # serialization failure, deadlock
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.OperatorInterventionError,  # server shutting down, query cancelled
)
# Bad values, whatever wraps them: asyncpg's own DataError (an argument out of range) is also an
# InterfaceError, which otherwise reports a closed connection.
PERMANENT_FAILURES: tuple[type[BaseException], ...] = (ValueError, ArithmeticError)
SQLITE_BUSY_WORDS = ("locked", "busy")


@dataclass(frozen=True, slots=True)
class NumberingTimes:
    """When a chunk asked for its invoice numbers and when it had them (perf_counter)."""

    asked_at: float
    taken_at: float


@dataclass(frozen=True, slots=True)
class ChunkReport:
    run_id: int
    chunk_id: int
    first_client_id: int
    last_client_id: int
    newly_done: bool
    run_finished: bool
    # Seconds spent waiting for the tenant's sequence row, and holding it from taking the numbers
    # to the commit: the part of a run that goes one chunk at a time. None where the chunk took
    # no numbers in one transaction (nothing issued, a review run, billed client by client).
    numbering_wait_seconds: float | None = None
    numbering_hold_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class ClientProblem:
    client_id: int | None
    stage: RunErrorStage
    message: str


def now() -> datetime:
    return datetime.now(UTC)


def retrying_can_mend(exc: BaseException) -> bool:
    """True for a failure a later attempt can get past (see TRANSIENT_FAILURES); the database
    driver's error may be wrapped by the ORM, so the whole chain of causes is looked at."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, PERMANENT_FAILURES):
            return False
        if isinstance(cause, TRANSIENT_FAILURES):
            return True
        if isinstance(cause, sqlite3.OperationalError) and any(
            word in str(cause) for word in SQLITE_BUSY_WORDS
        ):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


async def open_run(run_id: int, chunk_size: int) -> list[int]:
    """Start a queued run: check the tenant's settings, cut its eligible clients into chunks.

    Returns the ids of the chunks still to bill. Safe to call again for the same run (a
    redelivered start message): it returns the pending chunks of the existing cut.
    """
    async with in_transaction() as conn:
        run = await InvoiceRun.select_for_update().using_db(conn).get(id=run_id)
        if run.status != RunStatus.QUEUED:
            return await _pending_chunk_ids(conn, run_id) if run.status == RunStatus.RUNNING else []
        tenant = await Tenant.get(id=run.tenant_id).using_db(conn)
        problems = tenant_settings_problems(tenant) + _numbering_problems(run, tenant)
        if problems:
            await _fail_run(conn, run, problems)
            return []
        ranges = await eligible_client_ranges(conn, run.tenant_id, run.client_id, chunk_size)
        chunks = [
            RunChunk(
                run_id=run.id,
                seq=seq,
                first_client_id=client_range.first_id,
                last_client_id=client_range.last_id,
            )
            for seq, client_range in enumerate(ranges)
        ]
        await RunChunk.bulk_create(chunks, using_db=conn)
        run.status = RunStatus.RUNNING if chunks else _terminal_status(run, errors=0, drafts=0)
        run.started_at = now()
        run.finished_at = None if chunks else run.started_at
        run.clients_total = sum(client_range.clients for client_range in ranges)
        run.chunks_total = len(chunks)
        run.progress_version += 1
        await run.save(using_db=conn)
        return await _pending_chunk_ids(conn, run_id)


def _numbering_problems(run: InvoiceRun, tenant: Tenant) -> list[str]:
    """An issuing run needs invoice numbers left (a review run takes them when finalized)."""
    if not run.review and tenant.invoice_sequence >= LAST_SEQUENCE:
        return [NUMBERS_USED_UP]
    return []


async def _pending_chunk_ids(conn: BaseDBAsyncClient, run_id: int) -> list[int]:
    return list(
        await RunChunk.filter(run_id=run_id, status=ChunkStatus.PENDING)
        .using_db(conn)
        .order_by("seq")
        .values_list("id", flat=True)
    )


async def _fail_run(conn: BaseDBAsyncClient, run: InvoiceRun, problems: list[str]) -> None:
    await _record_problems(
        conn, run, [ClientProblem(None, RunErrorStage.PREFLIGHT, problem) for problem in problems]
    )
    run.status = RunStatus.FAILED
    run.started_at = run.started_at or now()
    run.finished_at = now()
    run.errors_count += len(problems)
    run.progress_version += 1
    await run.save(using_db=conn)


async def _record_problems(
    conn: BaseDBAsyncClient, run: InvoiceRun, problems: list[ClientProblem]
) -> None:
    """Record what went wrong against the run, naming the client where there is one."""
    await RunError.bulk_create(
        [
            RunError(
                tenant_id=run.tenant_id,
                run_id=run.id,
                stage=problem.stage,
                client_id=problem.client_id,
                message=problem.message,
            )
            for problem in problems
        ],
        using_db=conn,
    )


def _terminal_status(run: InvoiceRun, errors: int, drafts: int) -> RunStatus:
    """How a run ends: a review run with drafts waits for a person; with none it has nothing to
    review, and ends like an issuing run that issued nothing."""
    if run.review and drafts:
        return RunStatus.AWAITING_REVIEW
    return RunStatus.COMPLETED_WITH_ERRORS if errors else RunStatus.COMPLETED


async def bill_chunk(chunk_id: int) -> ChunkReport:
    """Bill one chunk exactly once. Set-at-a-time in one transaction; if that fails, client by
    client, so one client's failure is recorded against the run and the others are billed."""
    chunk = await RunChunk.get(id=chunk_id)
    run = await InvoiceRun.get(id=chunk.run_id)
    if chunk.status == ChunkStatus.DONE or run.status != RunStatus.RUNNING:
        return _report(chunk, newly_done=False, run_finished=False)
    tenant = await Tenant.get(id=run.tenant_id)
    try:
        async with in_transaction() as conn:
            if not await _claim_chunk(conn, chunk_id):
                return _report(chunk, newly_done=False, run_finished=False)
            client_ids = await eligible_client_ids(
                conn, run.tenant_id, chunk.first_client_id, chunk.last_client_id
            )
            problems, numbering = await _bill_clients(
                conn, run, tenant, chunk.first_client_id, chunk.last_client_id
            )
            finished = await _finish_chunk(conn, run, chunk, len(client_ids), problems)
        committed_at = time.perf_counter()
        return _report(
            chunk, newly_done=True, run_finished=finished, numbering=numbering, until=committed_at
        )
    except Exception as exc:
        if retrying_can_mend(exc):
            raise
        log.warning(
            "chunk %s of run %s failed as a whole (%s); billing client by client",
            chunk.seq,
            run.id,
            exc,
        )
    return await _bill_chunk_client_by_client(run, tenant, chunk)


async def abandon_chunk(chunk_id: int, reason: str) -> ChunkReport:
    """End a chunk that kept failing after every retry: its clients are recorded as not billed
    (each a run error naming the client and the reason), the chunk counts as done, and the run
    ends as usual once its last chunk is done, so it never stays running. Nothing of the
    chunk's was written: each failed attempt rolled back. A run started later bills them."""
    chunk = await RunChunk.get(id=chunk_id)
    run = await InvoiceRun.get(id=chunk.run_id)
    async with in_transaction() as conn:
        if run.status != RunStatus.RUNNING or not await _claim_chunk(conn, chunk_id):
            return _report(chunk, newly_done=False, run_finished=False)
        client_ids = await eligible_client_ids(
            conn, run.tenant_id, chunk.first_client_id, chunk.last_client_id
        )
        message = f"not billed: billing kept failing after every retry ({reason})"
        problems = [
            ClientProblem(client_id, RunErrorStage.RUNTIME, message) for client_id in client_ids
        ] or [ClientProblem(None, RunErrorStage.RUNTIME, message)]
        finished = await _finish_chunk(conn, run, chunk, len(client_ids), problems)
    log.error("run %s: chunk %s abandoned after its retries: %s", run.id, chunk.seq, reason)
    return _report(chunk, newly_done=True, run_finished=finished)


async def _claim_chunk(conn: BaseDBAsyncClient, chunk_id: int) -> bool:
    """Lock the chunk row for this transaction; False when another delivery already did it."""
    chunk = await RunChunk.select_for_update().using_db(conn).get(id=chunk_id)
    return chunk.status == ChunkStatus.PENDING


async def _bill_chunk_client_by_client(
    run: InvoiceRun, tenant: Tenant, chunk: RunChunk
) -> ChunkReport:
    problems: list[ClientProblem] = []
    async with in_transaction() as conn:
        client_ids = await eligible_client_ids(
            conn, run.tenant_id, chunk.first_client_id, chunk.last_client_id
        )
    for client_id in client_ids:
        try:
            async with in_transaction() as conn:
                problems += (await _bill_clients(conn, run, tenant, client_id, client_id))[0]
        except Exception as exc:
            if retrying_can_mend(exc):
                raise
            log.exception("run %s: billing client %s failed", run.id, client_id)
            problems.append(
                ClientProblem(
                    client_id, RunErrorStage.RUNTIME, f"billing failed and was rolled back: {exc}"
                )
            )
    async with in_transaction() as conn:
        if not await _claim_chunk(conn, chunk.id):
            return _report(chunk, newly_done=False, run_finished=False)
        finished = await _finish_chunk(conn, run, chunk, len(client_ids), problems)
    return _report(chunk, newly_done=True, run_finished=finished)


def _report(
    chunk: RunChunk,
    *,
    newly_done: bool,
    run_finished: bool,
    numbering: NumberingTimes | None = None,
    until: float = 0.0,
) -> ChunkReport:
    return ChunkReport(
        run_id=chunk.run_id,
        chunk_id=chunk.id,
        first_client_id=chunk.first_client_id,
        last_client_id=chunk.last_client_id,
        newly_done=newly_done,
        run_finished=run_finished,
        numbering_wait_seconds=None
        if numbering is None
        else numbering.taken_at - numbering.asked_at,
        numbering_hold_seconds=None if numbering is None else until - numbering.taken_at,
    )


async def _bill_clients(
    conn: BaseDBAsyncClient, run: InvoiceRun, tenant: Tenant, first_id: int, last_id: int
) -> tuple[list[ClientProblem], NumberingTimes | None]:
    """Decide and write what the eligible clients in the id range are billed; the problems
    that kept clients from being billed, and when the invoice numbers were taken."""
    decided = await decide_range(conn, tenant, first_id, last_id, run.billing_date)
    numbering = await write_bills(conn, run, tenant, decided.bills)
    problems = [
        ClientProblem(client_id, RunErrorStage.PREFLIGHT, "not billed: " + "; ".join(messages))
        for client_id, messages in sorted(decided.problems_by_client.items())
    ]
    return problems, numbering


INVOICE_COLUMNS = (
    "tenant_id", "client_id", "run_id", "number", "status", "issued_on", "due_on", "grace_until",
    "period_start", "period_end", "currency", "subtotal_cents", "tax_cents", "credited_cents",
    "total_cents", "balance_cents", "auto_email",
    "created_at",
)  # fmt: skip
# Deferrable on PostgreSQL (migrations 0003 and 0010), initially immediate.
LINE_INVOICE_CONSTRAINT = "invoice_lines_invoice_id_fkey"
TAX_INVOICE_CONSTRAINT = "invoice_taxes_invoice_id_fkey"
LINE_COLUMNS = (
    "tenant_id", "invoice_id", "position", "kind", "description", "quantity", "unit_price_cents",
    "amount_cents", "period_start", "period_end", "service_id", "charge_id", "live", "tax_rate",
)  # fmt: skip
TAX_COLUMNS = (
    "tenant_id", "invoice_id", "category", "rate", "taxable_cents", "tax_cents",
    "exemption_reason",
)  # fmt: skip


async def write_bills(
    conn: BaseDBAsyncClient, run: InvoiceRun, tenant: Tenant, bills: list[ClientBill]
) -> NumberingTimes | None:
    """Write the bills as invoices, issued (numbered) or as drafts in a review run, and take
    their periods and charges. Returns when the invoice numbers were asked for and taken (None
    where none were)."""
    advances = [advance for bill in bills for advance in bill.advances]
    if run.review:
        await insert_rows(
            conn,
            "service_schedule_snapshots",
            ("run_id", "service_id", "next_bill_date"),
            [(run.id, a.service_id, a.previous_next_bill_date) for a in advances],
        )
    # Before the numbers: from taking them to the commit, the tenant's other chunks wait.
    await set_column_by_id(
        conn,
        "services",
        "next_bill_date",
        "date",
        [(a.service_id, a.next_bill_date) for a in advances],
    )
    invoiced = [bill for bill in bills if bill.has_invoice]
    if not invoiced:
        return None
    # Where the invoices' ids can be taken up front (PostgreSQL), the lines and tax rows go in
    # before the numbers are taken, their check against the invoices deferred to the commit.
    reserved = await reserve_ids(conn, "invoices", len(invoiced))
    if reserved is not None:
        invoice_ids = {bill.client_id: id_ for bill, id_ in zip(invoiced, reserved, strict=True)}
        await defer_constraint(conn, LINE_INVOICE_CONSTRAINT)
        await defer_constraint(conn, TAX_INVOICE_CONSTRAINT)
        await insert_rows(
            conn, "invoice_lines", LINE_COLUMNS, _line_rows(tenant, invoiced, invoice_ids)
        )
        await insert_rows(
            conn, "invoice_taxes", TAX_COLUMNS, _tax_rows(tenant, invoiced, invoice_ids)
        )
    asked_at = time.perf_counter()
    numbers = None if run.review else await take_numbers(conn, tenant.id, len(invoiced))
    numbering = None if numbers is None else NumberingTimes(asked_at, time.perf_counter())
    invoice_rows = _invoice_rows(run, tenant, invoiced, numbers)
    if reserved is None:
        await insert_rows(conn, "invoices", INVOICE_COLUMNS, invoice_rows)
        invoice_ids = await _invoice_ids_by_client(conn, run.id, [b.client_id for b in invoiced])
        line_rows = _line_rows(tenant, invoiced, invoice_ids)
        await insert_rows(conn, "invoice_lines", LINE_COLUMNS, line_rows)
        tax_rows = _tax_rows(tenant, invoiced, invoice_ids)
        await insert_rows(conn, "invoice_taxes", TAX_COLUMNS, tax_rows)
    else:
        await insert_rows(
            conn,
            "invoices",
            ("id", *INVOICE_COLUMNS),
            [(id_, *row) for id_, row in zip(reserved, invoice_rows, strict=True)],
        )
    if any(bill.rebills for bill in invoiced):
        client_ids = [bill.client_id for bill in invoiced]
        await take_rebilled_periods(conn, tenant.id, run.id, min(client_ids), max(client_ids))
    await set_column_by_id(
        conn,
        "charges",
        "invoice_id",
        "bigint",
        [
            (line.charge_id, invoice_ids[bill.client_id])
            for bill in invoiced
            for line in bill.lines
            if line.charge_id is not None
        ],
        also="status = 'invoiced'",
    )
    if not run.review:
        client_ids = [bill.client_id for bill in invoiced]
        await apply_credit_to_run_invoices(
            conn,
            tenant=tenant,
            run_id=run.id,
            first_client_id=min(client_ids),
            last_client_id=max(client_ids),
        )
    return numbering


def _invoice_rows(
    run: InvoiceRun, tenant: Tenant, bills: list[ClientBill], numbers: list[str] | None
) -> list[tuple[object, ...]]:
    """Rows in INVOICE_COLUMNS order; issued where numbers are given (written in the order of
    their ids, so the numbers follow the ids), drafts otherwise."""
    due = due_date(run.billing_date, tenant.payment_terms_days)
    grace = grace_date(due, tenant.grace_period_days)
    created = now()
    rows = []
    for position, bill in enumerate(bills):
        total = bill.total_cents
        if numbers is None:
            number, status = None, InvoiceStatus.DRAFT.value
        else:
            number, status = numbers[position], issued_status(total).value
        rows.append(
            (
                tenant.id, bill.client_id, run.id, number, status, run.billing_date, due, grace,
                bill.period_start, bill.period_end, tenant.currency, bill.subtotal_cents,
                bill.tax_cents, 0, total, total,
                bill.auto_email, created,
            )
        )  # fmt: skip
    return rows


def _line_rows(
    tenant: Tenant, bills: list[ClientBill], invoice_ids: dict[int, int]
) -> list[tuple[object, ...]]:
    return [
        (
            tenant.id,
            invoice_ids[bill.client_id],
            position,
            line.kind.value,
            line.description,
            line.quantity,
            line.unit_price_cents,
            net_cents,
            line.period_start,
            line.period_end,
            line.service_id,
            line.charge_id,
            True,
            tax_rate,
        )
        for bill in bills
        for position, (line, net_cents, tax_rate) in enumerate(bill.taxed_lines())
    ]


def _tax_rows(
    tenant: Tenant, bills: list[ClientBill], invoice_ids: dict[int, int]
) -> list[tuple[object, ...]]:
    """Rows in TAX_COLUMNS order: each invoice's tax breakdown, one row per category and rate."""
    return [
        (
            tenant.id,
            invoice_ids[bill.client_id],
            row.category.value,
            row.rate,
            row.taxable,
            row.tax,
            row.exemption_reason,
        )
        for bill in bills
        if bill.taxes is not None
        for row in bill.taxes.rows
    ]


async def _invoice_ids_by_client(
    conn: BaseDBAsyncClient, run_id: int, client_ids: list[int]
) -> dict[int, int]:
    m = placeholders(conn, 3)
    rows = await conn.execute_query_dict(
        f"SELECT id, client_id FROM invoices WHERE run_id = {m[0]} "
        f"AND client_id BETWEEN {m[1]} AND {m[2]}",
        [run_id, min(client_ids), max(client_ids)],
    )
    return {int(row["client_id"]): int(row["id"]) for row in rows}


async def _finish_chunk(
    conn: BaseDBAsyncClient,
    run: InvoiceRun,
    chunk: RunChunk,
    clients_processed: int,
    problems: list[ClientProblem],
) -> bool:
    """Record the chunk done and add its progress to the run; True when it was the last one."""
    await _record_problems(conn, run, problems)
    m = placeholders(conn, 3)
    made = await conn.execute_query_dict(
        "SELECT count(*) AS invoices, coalesce(sum(total_cents), 0) AS amount FROM invoices "
        f"WHERE run_id = {m[0]} AND client_id BETWEEN {m[1]} AND {m[2]}",
        [run.id, chunk.first_client_id, chunk.last_client_id],
    )
    await (
        RunChunk.filter(id=chunk.id)
        .using_db(conn)
        .update(status=ChunkStatus.DONE, processed_at=now())
    )
    m = placeholders(conn, 5)
    rows = await conn.execute_query_dict(
        f"UPDATE invoice_runs SET clients_processed = clients_processed + {m[0]}, "
        f"invoices_issued = invoices_issued + {m[1]}, "
        f"amount_issued_cents = amount_issued_cents + {m[2]}, "
        f"errors_count = errors_count + {m[3]}, chunks_done = chunks_done + 1, "
        f"progress_version = progress_version + 1 WHERE id = {m[4]} "
        "RETURNING chunks_done, chunks_total, errors_count, invoices_issued",
        [
            clients_processed,
            int(made[0]["invoices"]),
            int(made[0]["amount"]),
            len(problems),
            run.id,
        ],
    )
    if int(rows[0]["chunks_done"]) < int(rows[0]["chunks_total"]):
        return False
    await (
        InvoiceRun.filter(id=run.id)
        .using_db(conn)
        .update(
            status=_terminal_status(
                run, int(rows[0]["errors_count"]), int(rows[0]["invoices_issued"])
            ),
            finished_at=now(),
        )
    )
    return True


async def record_email_failure(tenant_id: int, invoice_id: int, reason: str) -> bool:
    """Record against its run that an invoice the run was to email could not be emailed: a run
    error naming the client and the reason, and one more on the run's count of email failures.

    Once per invoice (a redelivered email job records nothing new); nothing for an invoice no
    run issued. True when it was recorded now.
    """
    async with in_transaction() as conn:
        invoice = await (
            Invoice.filter(id=invoice_id, tenant_id=tenant_id)
            .using_db(conn)
            .only("id", "run_id", "client_id", "number")
            .first()
        )
        if invoice is None or invoice.run_id is None:
            return False
        run = await InvoiceRun.select_for_update().using_db(conn).get(id=invoice.run_id)
        message = f"invoice {invoice.number} was not emailed: {reason}"
        if await RunError.filter(run_id=run.id, message=message).using_db(conn).exists():
            return False
        await _record_problems(
            conn, run, [ClientProblem(invoice.client_id, RunErrorStage.RUNTIME, message)]
        )
        await (
            InvoiceRun.filter(id=run.id)
            .using_db(conn)
            .update(
                email_failures=F("email_failures") + 1,
                progress_version=F("progress_version") + 1,
            )
        )
    return True
