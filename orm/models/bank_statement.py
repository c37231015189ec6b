"""Imported bank statements and their entries, each entry's status and the payment it became.

Amounts are integer minor units of the entry's currency, never negative; `direction` says which
way the money went. A partial unique index (migration 0015) allows one entry per tenant, account
and bank reference among the entries that are not DUPLICATE: two imports of one file, even
racing, never record one transfer twice.
"""

from tortoise import fields

from billing.bank_statements.matching import EntryStatus
from billing.bank_statements.model import Direction, StatementFormat
from orm.models.base import Record


class BankStatement(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="bank_statements")
    format = fields.CharEnumField(StatementFormat, max_length=8)
    # The IBAN (or the bank's own account id) the statement is for.
    account = fields.CharField(max_length=64)
    currency = fields.CharField(max_length=3)
    # The statement's own id in the file (CAMT.053 Stmt/Id, MT940 :20:).
    statement_id = fields.CharField(max_length=140, null=True)
    # Signed minor units of the statement's currency, where the file states them.
    opening_balance_cents = fields.BigIntField(null=True)
    closing_balance_cents = fields.BigIntField(null=True)
    # How many entries have each status now (kept with the entries' statuses).
    entry_count = fields.IntField(default=0)
    matched_count = fields.IntField(default=0)
    unmatched_count = fields.IntField(default=0)
    duplicate_count = fields.IntField(default=0)
    ignored_count = fields.IntField(default=0)
    imported_by = fields.ForeignKeyField(
        "models.User", related_name="bank_statements", null=True, on_delete=fields.SET_NULL
    )
    imported_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "bank_statements"
        indexes = (("tenant_id", "id"),)


class BankStatementEntry(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="bank_statement_entries")
    statement = fields.ForeignKeyField(
        "models.BankStatement", related_name="entries", on_delete=fields.CASCADE
    )
    # The entry's place in the file, from 0.
    position = fields.IntField()
    # The statement's account, kept on the entry for the unique index.
    account = fields.CharField(max_length=64)
    booked_on = fields.DateField()
    amount_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    direction = fields.CharEnumField(Direction, max_length=8)
    counterparty = fields.TextField(null=True)
    remittance = fields.TextField(null=True)
    bank_reference = fields.CharField(max_length=140)
    status = fields.CharEnumField(EntryStatus, max_length=16)
    # Why the entry has its status, in words (the matcher's reason, or who resolved it).
    note = fields.TextField(null=True)
    # The payment the entry was recorded as, and the invoice its remittance named first.
    payment = fields.ForeignKeyField(
        "models.Payment", related_name="bank_entries", null=True, on_delete=fields.SET_NULL
    )
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="bank_entries", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "bank_statement_entries"
        indexes = (("statement_id", "position"),)
