"""Starting an invoice run and the plan the bulk-run page shows (dates, lock, review)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billing.audit.actions import AuditAction
from billing.audit.trail import record_action
from billing.clients.eligibility import (
    BILLABLE_CLIENT_STATUSES,
    NOT_BILLED_BY_RUNS,
    billed_by_runs,
)
from billing.dates import (
    InvoiceTerms,
    RunDates,
    billing_date_problem,
    plan_run_dates,
    today_in,
)
from billing.errors import BillingRuleError, ErrorCode
from billing.runs.lifecycle import ACTIVE_RUN_STATUSES, RunStatus, RunTrigger
from billing.runs.selection import as_date
from orm.db import connection, placeholders
from orm.models import Client, InvoiceRun, Tenant

RUN_IN_PROGRESS_MESSAGE = (
    "Another invoice run of this tenant is queued, running or awaiting review; "
    "wait for it to finish (or finalize or discard it) first."
)


@dataclass(frozen=True, slots=True)
class RunPlan:
    dates: RunDates
    client: Client | None
    review: bool


def invoice_terms(tenant: Tenant) -> InvoiceTerms:
    return InvoiceTerms(
        payment_terms_days=tenant.payment_terms_days,
        grace_period_days=tenant.grace_period_days,
        billing_cycle_day=tenant.billing_cycle_day,
        auto_generate=tenant.auto_generate,
        timezone=tenant.timezone,
    )


async def find_client(tenant: Tenant, client_id: int | None) -> Client | None:
    """The tenant's client, None when none was asked for; another tenant's id is not found."""
    if client_id is None:
        return None
    client = await Client.get_or_none(id=client_id, tenant_id=tenant.id)
    if client is None:
        raise BillingRuleError(ErrorCode.NOT_FOUND, "No such client.", field="clientId")
    return client


async def first_service_day(tenant: Tenant) -> date | None:
    """The earliest day the tenant has anything to bill from: a service's next bill date, a
    billed service period's start, or a one-time charge's date; None for a tenant with none."""
    conn = connection()
    m = placeholders(conn, 3)
    rows = await conn.execute_query_dict(
        "SELECT min(day) AS first_day FROM ("
        f"SELECT min(next_bill_date) AS day FROM services WHERE tenant_id = {m[0]} UNION ALL "
        f"SELECT min(period_start) FROM invoice_lines WHERE tenant_id = {m[1]} "
        "AND service_id IS NOT NULL UNION ALL "
        f"SELECT min(scheduled_on) FROM charges WHERE tenant_id = {m[2]}) AS days",
        [tenant.id] * 3,
    )
    first_day = rows[0]["first_day"] if rows else None
    return None if first_day is None else as_date(first_day)


async def check_billing_date(tenant: Tenant, chosen: date | None, today: date) -> None:
    """Refuse a chosen billing date a run may not bill on (see billing_date_problem); a date
    the cycle day locks is always within a month of today."""
    if chosen is None or tenant.billing_cycle_day is not None:
        return
    if problem := billing_date_problem(chosen, today, await first_service_day(tenant)):
        raise BillingRuleError(ErrorCode.INVALID_INPUT, problem, field="billingDate")


async def plan_invoice_run(
    tenant: Tenant,
    *,
    billing_date: date | None,
    client_id: int | None,
    today: date | None = None,
) -> RunPlan:
    client = await find_client(tenant, client_id)
    today = today or today_in(tenant.timezone)
    await check_billing_date(tenant, billing_date, today)
    try:
        dates = plan_run_dates(invoice_terms(tenant), billing_date, today)
    except OverflowError:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT,
            "The billing date is too late: its due and grace dates would be past the last date "
            "there is.",
            field="billingDate",
        ) from None
    return RunPlan(dates=dates, client=client, review=tenant.review_runs)


async def count_eligible_clients(tenant: Tenant, client: Client | None) -> int:
    """How many clients a run started now takes up: the tenant's active or overdue clients that
    are not blocked (only `client`, where one is chosen). One COUNT query."""
    clients = Client.filter(tenant_id=tenant.id, status__in=BILLABLE_CLIENT_STATUSES, blocked=False)
    if client is not None:
        clients = clients.filter(id=client.id)
    return await clients.count()


async def start_invoice_run(
    tenant: Tenant,
    *,
    user_id: int | None,
    billing_date: date | None,
    client_id: int | None,
    review: bool | None,
    trigger: RunTrigger = RunTrigger.MANUAL,
    today: date | None = None,
) -> InvoiceRun:
    """Queue a run; the caller hands its id to the workers.

    Refused (nothing written) while automatic generation is on (manual runs), without a billing
    date where none is locked, for a client a run does not bill, and while another run of the
    tenant is active: a partial unique index makes that last rule hold under races.
    """
    if trigger == RunTrigger.MANUAL and tenant.auto_generate:
        plan_dates = plan_run_dates(invoice_terms(tenant), None, today or today_in(tenant.timezone))
        raise BillingRuleError(ErrorCode.MANUAL_RUN_DISABLED, plan_dates.blocked_reason or "")
    plan = await plan_invoice_run(
        tenant, billing_date=billing_date, client_id=client_id, today=today
    )
    if not plan.dates.locked and billing_date is None:
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT,
            "Choose a billing date: no billing cycle day is configured.",
            field="billingDate",
        )
    client = plan.client
    if client is not None and not billed_by_runs(client.status, client.blocked):
        raise BillingRuleError(
            ErrorCode.CLIENT_NOT_ELIGIBLE,
            f"{client.name} is not billed by runs: {NOT_BILLED_BY_RUNS}.",
            field="clientId",
        )
    if await InvoiceRun.filter(tenant_id=tenant.id, status__in=ACTIVE_RUN_STATUSES).exists():
        raise BillingRuleError(ErrorCode.RUN_IN_PROGRESS, RUN_IN_PROGRESS_MESSAGE)
    try:
        async with in_transaction() as conn:
            run = await InvoiceRun.create(
                tenant_id=tenant.id,
                client_id=client.id if client else None,
                billing_date=plan.dates.run_date,
                status=RunStatus.QUEUED,
                trigger=trigger,
                review=tenant.review_runs if review is None else review,
                created_by_id=user_id,
                schedule_slot=plan.dates.run_date if trigger == RunTrigger.SCHEDULE else None,
                using_db=conn,
            )
            await record_action(
                tenant_id=tenant.id,
                user_id=user_id,
                action=AuditAction.RUN,
                run_id=run.id,
                detail={
                    "billing_date": run.billing_date.isoformat(),
                    "client_id": run.client_id,
                    "review": run.review,
                    "trigger": str(trigger),
                },
                using_db=conn,
            )
    except IntegrityError as exc:
        raise BillingRuleError(ErrorCode.RUN_IN_PROGRESS, RUN_IN_PROGRESS_MESSAGE) from exc
    return run
