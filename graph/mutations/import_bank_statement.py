"""importBankStatement — read a bank statement and record the payments its entries name.

Arguments: input: ImportBankStatementInput (format, content)
Permission: billing.edit
Errors (BankStatementPayload.errors): STATEMENT_UNREADABLE (the message says where; nothing was
imported)
"""

from __future__ import annotations

import strawberry

from billing.bank_statements.importing import import_bank_statement as import_statement
from billing.bank_statements.model import StatementFormat
from graph.context import Info
from graph.mutations.refusals import refusals_in
from graph.types.bank_statement import BankStatement, BankStatementFormat
from graph.types.common import UserError


@strawberry.input
class ImportBankStatementInput:
    format: BankStatementFormat
    content: str = strawberry.field(description="The file's text.")


@strawberry.type
class BankStatementPayload:
    statement: BankStatement | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@refusals_in(BankStatementPayload)
async def import_bank_statement(
    info: Info, input: ImportBankStatementInput
) -> BankStatementPayload:
    viewer = info.context.authenticated_viewer
    statement = await import_statement(
        tenant=viewer.tenant,
        user_id=viewer.user.id,
        content=input.content,
        statement_format=StatementFormat(input.format.value),
    )
    return BankStatementPayload(statement=BankStatement.from_model(statement))
