"""Credit note numbers: the tenant's own series, gap-free, taken as invoice numbers are.

The tenant's credit note sequence is raised under its row lock in the issuing transaction: a
rolled-back credit note takes its number back with it, and concurrent issuers take turns on the
lock. A unique index on (tenant, number) is the last word.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.errors import BillingRuleError, ErrorCode
from billing.invoices.numbering import LAST_SEQUENCE, invoice_number
from orm.db import placeholders

NUMBERS_USED_UP = (
    "The tenant's credit note numbers are used up: change the credit note number prefix or "
    "lower its sequence before issuing more credit notes."
)


async def take_credit_note_number(conn: BaseDBAsyncClient, tenant_id: int) -> str:
    """The tenant's next credit note number, for a credit note written in the caller's
    transaction."""
    marks = placeholders(conn, 2)
    rows = await conn.execute_query_dict(
        "UPDATE tenants SET credit_note_sequence = credit_note_sequence + 1 "
        f"WHERE id = {marks[0]} AND credit_note_sequence < {marks[1]} "
        "RETURNING credit_note_sequence, credit_note_number_prefix",
        [tenant_id, LAST_SEQUENCE],
    )
    if not rows:
        raise BillingRuleError(ErrorCode.INVALID_INPUT, NUMBERS_USED_UP)
    return invoice_number(
        rows[0]["credit_note_number_prefix"], int(rows[0]["credit_note_sequence"])
    )
