"""Invoice runs, the chunks workers process them in, and what went wrong in them."""

from tortoise import fields

from billing.runs.lifecycle import ChunkStatus, RunErrorStage, RunStatus, RunTrigger
from orm.models.base import Record


class InvoiceRun(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="runs")
    client = fields.ForeignKeyField(
        "models.Client", related_name="runs", null=True, on_delete=fields.SET_NULL
    )
    billing_date = fields.DateField()
    status = fields.CharEnumField(RunStatus, max_length=24, default=RunStatus.QUEUED)
    trigger = fields.CharEnumField(RunTrigger, max_length=16, default=RunTrigger.MANUAL)
    review = fields.BooleanField(default=False)
    created_by = fields.ForeignKeyField(
        "models.User", related_name="runs", null=True, on_delete=fields.SET_NULL
    )
    # The cycle date a scheduled run bills; unique per tenant, so a schedule fires once.
    schedule_slot = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    clients_total = fields.IntField(default=0)
    clients_processed = fields.IntField(default=0)
    # The invoices the run made and their total, drafts included: a review run counts its
    # drafts here before any is issued. An invoice deleted (in development) is taken off. The API
    # names them invoicesIssued and amountIssued (contract names).
    invoices_issued = fields.IntField(default=0)
    amount_issued_cents = fields.BigIntField(default=0)
    errors_count = fields.IntField(default=0)
    # Invoices the run was to email automatically and could not (no address, a refused one).
    email_failures = fields.IntField(default=0, db_default=0)
    chunks_total = fields.IntField(default=0)
    chunks_done = fields.IntField(default=0)
    # Raised on every progress step; subscribers poll it to see a change from any process.
    progress_version = fields.IntField(default=0)
    # A note for people about what the run did not do (e.g. no Stripe key, so no charges).
    notice = fields.TextField(null=True)

    class Meta:
        table = "invoice_runs"
        unique_together = (("tenant", "schedule_slot"),)
        indexes = (("tenant_id", "created_at"),)


class RunChunk(Record):
    """A slice of a run's clients (by id range), processed in one transaction exactly once."""

    run = fields.ForeignKeyField(
        "models.InvoiceRun", related_name="chunks", on_delete=fields.CASCADE
    )
    seq = fields.IntField()
    first_client_id = fields.BigIntField()
    last_client_id = fields.BigIntField()
    status = fields.CharEnumField(ChunkStatus, max_length=16, default=ChunkStatus.PENDING)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invoice_run_chunks"
        unique_together = (("run", "seq"),)


class RunError(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="run_errors")
    run = fields.ForeignKeyField(
        "models.InvoiceRun", related_name="errors", on_delete=fields.CASCADE
    )
    stage = fields.CharEnumField(RunErrorStage, max_length=16)
    client = fields.ForeignKeyField(
        "models.Client", related_name="run_errors", null=True, on_delete=fields.SET_NULL
    )
    message = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invoice_run_errors"
        indexes = (("run_id",),)


class ServiceScheduleSnapshot(Record):
    """A service's next bill date before a review run moved it, so a discard can put it back."""

    run = fields.ForeignKeyField(
        "models.InvoiceRun", related_name="schedule_snapshots", on_delete=fields.CASCADE
    )
    service = fields.ForeignKeyField(
        "models.Service", related_name="schedule_snapshots", on_delete=fields.CASCADE
    )
    next_bill_date = fields.DateField()

    class Meta:
        table = "service_schedule_snapshots"
        unique_together = (("run", "service"),)


class ServiceRebillPeriod(Record):
    """A service period a void with reset put back: the next run bills it again, once.

    Pending while `line` is empty; a run that bills it links its line (a discarded review run's
    lines are deleted, which empties the link and makes it pending again).
    """

    tenant = fields.ForeignKeyField("models.Tenant", related_name="rebill_periods")
    service = fields.ForeignKeyField(
        "models.Service", related_name="rebill_periods", on_delete=fields.CASCADE
    )
    period_start = fields.DateField()
    period_end = fields.DateField()
    voided_invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="rebill_periods", null=True, on_delete=fields.SET_NULL
    )
    line = fields.ForeignKeyField(
        "models.InvoiceLine", related_name="rebill_periods", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_rebill_periods"
        indexes = (("tenant_id", "service_id"),)
