"""Review before issuing: finalizing or discarding the drafts of a run that awaits review.

Each claims the run with one conditional UPDATE (status must still be AWAITING_REVIEW), so of two
finalizes, or a finalize racing a discard, exactly one wins on SQLite and PostgreSQL alike; the
loser changes nothing and gets NOT_AWAITING_REVIEW.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.clients.eligibility import ChargeStatus
from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.numbering import DraftScope, issue_drafts
from billing.payments.credit import apply_credit_to_run_invoices
from billing.runs.lifecycle import RunStatus
from orm.db import placeholders, sql_date
from orm.models import Charge, Invoice, InvoiceRun, ServiceScheduleSnapshot, Tenant


async def finalize_invoice_run(*, tenant_id: int, user_id: int | None, run_id: int) -> InvoiceRun:
    """Issue every draft of the run in one set-based step; the run ends COMPLETED (or
    COMPLETED_WITH_ERRORS where it recorded errors). Auto email and charge follow (the caller
    hands the run to the workers, as after an issuing run)."""
    async with in_transaction() as conn:
        run = await _claim(conn, tenant_id, run_id, RunStatus.COMPLETED)
        issued = await issue_drafts(conn, DraftScope(tenant_id, run.id))
        tenant = await Tenant.get(id=tenant_id).using_db(conn)
        await apply_credit_to_run_invoices(conn, tenant=tenant, run_id=run.id)
        if run.errors_count:
            run.status = RunStatus.COMPLETED_WITH_ERRORS
            await run.save(using_db=conn, update_fields=["status"])
        await ServiceScheduleSnapshot.filter(run_id=run.id).using_db(conn).delete()
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.FINALIZE,
            run_id=run.id,
            detail={"invoices_issued": issued},
            using_db=conn,
        )
    return run


async def discard_invoice_run(*, tenant_id: int, user_id: int | None, run_id: int) -> InvoiceRun:
    """Delete the run's drafts and put each service's next bill date and each charge back to
    what they were before the run; no number is used. The run ends DISCARDED."""
    async with in_transaction() as conn:
        run = await _claim(conn, tenant_id, run_id, RunStatus.DISCARDED)
        drafts = Invoice.filter(tenant_id=tenant_id, run_id=run.id, status=InvoiceStatus.DRAFT)
        draft_ids = list(await drafts.using_db(conn).values_list("id", flat=True))
        await (
            Charge.filter(tenant_id=tenant_id, invoice_id__in=draft_ids)
            .using_db(conn)
            .update(status=ChargeStatus.PENDING, invoice_id=None)
        )
        await _restore_schedules(conn, run.id)
        await drafts.using_db(conn).delete()
        await record_action(
            tenant_id=tenant_id,
            user_id=user_id,
            action=AuditAction.DISCARD,
            run_id=run.id,
            detail={"drafts_deleted": len(draft_ids)},
            using_db=conn,
        )
    return run


async def _claim(
    conn: BaseDBAsyncClient, tenant_id: int, run_id: int, outcome: RunStatus
) -> InvoiceRun:
    claimed = (
        await InvoiceRun.filter(id=run_id, tenant_id=tenant_id, status=RunStatus.AWAITING_REVIEW)
        .using_db(conn)
        .update(
            status=outcome,
            finished_at=datetime.now(UTC),
            progress_version=F("progress_version") + 1,
        )
    )
    run = await InvoiceRun.get_or_none(id=run_id, tenant_id=tenant_id).using_db(conn)
    if run is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such invoice run.", field="runId")
    if not claimed:
        raise BillingRuleError(
            ErrorCode.NOT_AWAITING_REVIEW,
            f"The run is {run.status.value.replace('_', ' ')}, not awaiting review.",
            field="runId",
        )
    return run


async def _restore_schedules(conn: BaseDBAsyncClient, run_id: int) -> None:
    snapshots = await ServiceScheduleSnapshot.filter(run_id=run_id).using_db(conn).all()
    if snapshots:
        m = placeholders(conn, 3)
        await conn.execute_many(
            # A void with reset may since have moved a schedule further back: keep the earlier date.
            f"UPDATE services SET next_bill_date = CASE WHEN next_bill_date < {m[0]} "
            f"THEN next_bill_date ELSE {m[1]} END WHERE id = {m[2]}",
            [
                [sql_date(conn, s.next_bill_date), sql_date(conn, s.next_bill_date), s.service_id]
                for s in snapshots
            ],
        )
    await ServiceScheduleSnapshot.filter(run_id=run_id).using_db(conn).delete()
