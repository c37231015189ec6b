"""matchBankEntry — record an unmatched bank entry as a payment of the client a person chose.

Arguments: input: MatchBankEntryInput (entryId, clientId, invoiceIds)
Permission: billing.edit
Errors (BankStatementEntryPayload.errors): NOT_FOUND (the entry, the client or an invoice),
BANK_ENTRY_RESOLVED (the entry is matched, ignored or a duplicate already), CURRENCY_MISMATCH
(the entry is in another currency than the tenant's), NOT_PAYABLE (a named invoice takes no
payment)
"""

from __future__ import annotations

import strawberry

from billing.bank_statements import resolving
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.bank_statement import BankStatementEntry
from graph.types.common import UserError


@strawberry.input
class MatchBankEntryInput:
    entry_id: strawberry.ID
    client_id: strawberry.ID
    invoice_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Paid in this order; null: the client's open invoices, oldest due first. "
        "What is left is the client's credit.",
    )


@strawberry.input
class BankEntryInput:
    entry_id: strawberry.ID


@strawberry.type
class BankStatementEntryPayload:
    entry: BankStatementEntry | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@refusals_in(BankStatementEntryPayload)
async def match_bank_entry(info: Info, input: MatchBankEntryInput) -> BankStatementEntryPayload:
    viewer = info.context.authenticated_viewer
    invoice_ids = (
        [row_id(value, "invoice", "invoiceIds") for value in input.invoice_ids]
        if input.invoice_ids is not None
        else None
    )
    entry = await resolving.match_bank_entry(
        tenant=viewer.tenant,
        user_id=viewer.user.id,
        entry_id=row_id(input.entry_id, "bank entry", "entryId"),
        client_id=row_id(input.client_id, "client", "clientId"),
        invoice_ids=invoice_ids,
    )
    return BankStatementEntryPayload(entry=BankStatementEntry.from_model(entry))
