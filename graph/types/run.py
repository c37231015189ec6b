"""The InvoiceRun type: a bulk run's progress, its Generation Summary and its errors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from billing.money import from_minor_units
from graph.context import Info
from graph.loaders import RunPageKey
from graph.pagination import check_first, invoice_position, run_cursor
from graph.types.client import Client, load_client
from graph.types.common import PageInfo
from graph.types.enums import InvoiceRunErrorStage, InvoiceRunStatus, InvoiceRunTrigger
from graph.types.invoice import InvoiceConnection
from orm import models


@strawberry.type
class InvoiceRunError:
    model: strawberry.Private[models.RunError]
    stage: InvoiceRunErrorStage
    message: str

    @strawberry.field
    async def client(self, info: Info) -> Client | None:
        return await load_client(info, self.model.client_id)


@strawberry.type
class InvoiceRun:
    model: strawberry.Private[models.InvoiceRun]
    id: strawberry.ID
    billing_date: date
    status: InvoiceRunStatus
    trigger: InvoiceRunTrigger
    review: bool = strawberry.field(
        description="True where the run makes drafts for review (see finalizeInvoiceRun, "
        "discardInvoiceRun)."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    clients_total: int = strawberry.field(description="Eligible clients the run will look at.")
    clients_processed: int
    invoices_issued: int
    email_failures: int = strawberry.field(
        description="Invoices the run was to email automatically and could not (no address, a "
        "refused one, a mailbox out of reach); each is also in errors, naming the client."
    )
    notice: str | None = strawberry.field(
        description="What the run did not do, for people (e.g. no charges without a Stripe key)."
    )

    @strawberry.field(description="Sum of the totals of the invoices issued.")
    def amount_issued(self, info: Info) -> Decimal:
        # A run bills in its tenant's currency, which is fixed once invoices exist.
        return from_minor_units(self.model.amount_issued_cents, info.context.tenant.currency)

    @classmethod
    def from_model(cls, run: models.InvoiceRun) -> InvoiceRun:
        return cls(
            model=run,
            id=strawberry.ID(str(run.id)),
            billing_date=run.billing_date,
            status=InvoiceRunStatus(run.status),
            trigger=InvoiceRunTrigger(run.trigger),
            review=run.review,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            clients_total=run.clients_total,
            clients_processed=run.clients_processed,
            invoices_issued=run.invoices_issued,
            email_failures=run.email_failures,
            notice=run.notice,
        )

    @strawberry.field
    async def client(self, info: Info) -> Client | None:
        return await load_client(info, self.model.client_id)

    @strawberry.field(
        description="The Generation Summary: the invoices this run made (its drafts while it "
        "awaits review)."
    )
    async def invoices(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> InvoiceConnection:
        key = RunPageKey(self.model.id, check_first(first), invoice_position(after))
        return InvoiceConnection.from_page(await info.context.loaders.run_invoices.load(key))

    @strawberry.field
    async def errors(self, info: Info) -> list[InvoiceRunError]:
        errors = await info.context.loaders.run_errors.load(self.model.id)
        return [
            InvoiceRunError(
                model=error, stage=InvoiceRunErrorStage(error.stage), message=error.message
            )
            for error in errors
        ]


@strawberry.type
class InvoiceRunEdge:
    cursor: str
    node: InvoiceRun


@strawberry.type
class InvoiceRunConnection:
    edges: list[InvoiceRunEdge]
    page_info: PageInfo

    @classmethod
    def from_runs(cls, runs: list[models.InvoiceRun], has_next_page: bool) -> InvoiceRunConnection:
        edges = [
            InvoiceRunEdge(cursor=run_cursor(run.id), node=InvoiceRun.from_model(run))
            for run in runs
        ]
        return cls(edges=edges, page_info=PageInfo.of(edges, has_next_page=has_next_page))


async def load_run(info: Info, run_id: int | None) -> InvoiceRun | None:
    """The tenant's run through the request's loader (None for no id)."""
    if run_id is None:
        return None
    run = await info.context.loaders.run.load(run_id)
    return InvoiceRun.from_model(run) if run else None
