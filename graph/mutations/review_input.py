"""The input finalizeInvoiceRun and discardInvoiceRun share."""

from __future__ import annotations

import strawberry


@strawberry.input
class InvoiceRunInput:
    run_id: strawberry.ID
