"""Bank statements and their entries. One entry per tenant, account and bank reference among
those not marked DUPLICATE (a partial unique index, on SQLite and PostgreSQL alike): two imports
of one file, even racing, never record one transfer twice. The audit trail records imports,
matches and ignored entries (new values of a text column: only the recorded model state changes).
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from orm.models.enums import AuditAction, BankEntryDirection, BankEntryStatus, StatementFormat

ONE_ENTRY_PER_REFERENCE = (
    "CREATE UNIQUE INDEX uniq_bank_entry_reference"
    " ON bank_statement_entries (tenant_id, account, bank_reference)"
    " WHERE status <> 'DUPLICATE'"
)
PAYMENT_INDEX = "CREATE INDEX idx_bank_entries_payment ON bank_statement_entries (payment_id)"


class AlterFieldStateOnly(ops.AlterField):
    """An AlterField that changes only the recorded model state: the column stays as it is."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


async def create_indexes(apps, schema_editor) -> None:
    for statement in (ONE_ENTRY_PER_REFERENCE, PAYMENT_INDEX):
        await schema_editor.client.execute_script(statement)


async def drop_indexes(apps, schema_editor) -> None:
    for name in ("uniq_bank_entry_reference", "idx_bank_entries_payment"):
        await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("models", "0014_collections")]

    initial = False

    operations = [
        ops.CreateModel(
            name="BankStatement",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="bank_statements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "format",
                    fields.CharEnumField(
                        description="CAMT053: CAMT053\nMT940: MT940",
                        enum_type=StatementFormat,
                        max_length=8,
                    ),
                ),
                ("account", fields.CharField(max_length=64)),
                ("currency", fields.CharField(max_length=3)),
                ("statement_id", fields.CharField(null=True, max_length=140)),
                ("opening_balance_cents", fields.BigIntField(null=True)),
                ("closing_balance_cents", fields.BigIntField(null=True)),
                ("entry_count", fields.IntField(default=0)),
                ("matched_count", fields.IntField(default=0)),
                ("unmatched_count", fields.IntField(default=0)),
                ("duplicate_count", fields.IntField(default=0)),
                ("ignored_count", fields.IntField(default=0)),
                (
                    "imported_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="imported_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="bank_statements",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("imported_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "bank_statements",
                "app": "models",
                "indexes": [Index(fields=["tenant_id", "id"])],
                "pk_attr": "id",
            },
            bases=["Record"],
        ),
        ops.CreateModel(
            name="BankStatementEntry",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="bank_statement_entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "statement",
                    fields.ForeignKeyField(
                        "models.BankStatement",
                        source_field="statement_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField()),
                ("account", fields.CharField(max_length=64)),
                ("booked_on", fields.DateField()),
                ("amount_cents", fields.BigIntField()),
                ("currency", fields.CharField(max_length=3)),
                (
                    "direction",
                    fields.CharEnumField(
                        description="CREDIT: CREDIT\nDEBIT: DEBIT",
                        enum_type=BankEntryDirection,
                        max_length=8,
                    ),
                ),
                ("counterparty", fields.TextField(null=True, unique=False)),
                ("remittance", fields.TextField(null=True, unique=False)),
                ("bank_reference", fields.CharField(max_length=140)),
                (
                    "status",
                    fields.CharEnumField(
                        description="MATCHED: MATCHED\nUNMATCHED: UNMATCHED\nIGNORED: IGNORED\nDUPLICATE: DUPLICATE",
                        enum_type=BankEntryStatus,
                        max_length=16,
                    ),
                ),
                ("note", fields.TextField(null=True, unique=False)),
                (
                    "payment",
                    fields.ForeignKeyField(
                        "models.Payment",
                        source_field="payment_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="bank_entries",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "invoice",
                    fields.ForeignKeyField(
                        "models.Invoice",
                        source_field="invoice_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="bank_entries",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "bank_statement_entries",
                "app": "models",
                "indexes": [Index(fields=["statement_id", "position"])],
                "pk_attr": "id",
            },
            bases=["Record"],
        ),
        AlterFieldStateOnly(
            model_name="AuditEvent",
            name="action",
            field=fields.CharEnumField(
                description="RUN: run\nVOID: void\nSEND: send\nDELETE: delete\nFINALIZE: finalize\nDISCARD: discard\nSETTINGS: settings\nCREDIT: credit\nPAYMENT: payment\nREVERSAL: reversal\nREFUND: refund\nAPPLY_CREDIT: apply_credit\nREMIND: remind\nLATE_FEE: late_fee\nCLIENT_STATUS: client_status\nBLOCK: block\nUNBLOCK: unblock\nBANK_IMPORT: bank_import\nBANK_MATCH: bank_match\nBANK_IGNORE: bank_ignore",
                enum_type=AuditAction,
                max_length=16,
            ),
        ),
        ops.RunPython(create_indexes, drop_indexes),
    ]
