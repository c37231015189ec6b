"""ignoreBankEntry — set an unmatched bank entry aside: it records nothing.

Arguments: input: BankEntryInput (entryId)
Permission: billing.edit
Errors (BankStatementEntryPayload.errors): NOT_FOUND, BANK_ENTRY_RESOLVED (the entry is
matched, ignored or a duplicate already)
"""

from __future__ import annotations

from billing.bank_statements import resolving
from graph.context import Info
from graph.mutations.match_bank_entry import BankEntryInput, BankStatementEntryPayload
from graph.mutations.refusals import refusals_in, row_id
from graph.types.bank_statement import BankStatementEntry


@refusals_in(BankStatementEntryPayload)
async def ignore_bank_entry(info: Info, input: BankEntryInput) -> BankStatementEntryPayload:
    viewer = info.context.authenticated_viewer
    entry = await resolving.ignore_bank_entry(
        tenant=viewer.tenant,
        user_id=viewer.user.id,
        entry_id=row_id(input.entry_id, "bank entry", "entryId"),
    )
    return BankStatementEntryPayload(entry=BankStatementEntry.from_model(entry))
