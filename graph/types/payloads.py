"""Mutation payloads: the changed object, or the business rules that refused the change."""

from __future__ import annotations

import strawberry

from graph.types.common import UserError
from graph.types.invoice import Invoice
from graph.types.run import InvoiceRun


@strawberry.type
class InvoicePayload:
    invoice: Invoice | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InvoiceRunPayload:
    run: InvoiceRun | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RunBulkPayload:
    run: InvoiceRun | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteInvoicePayload:
    deleted_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
