"""Collections: the daily pass per tenant and day with its chunks, the reminders claimed and sent
per invoice and level, the audit actions of collections, the index of owed invoices by due date
that the pass reads, and the owed invoices' totals per due date, kept by triggers, that the aging
report reads."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from orm.models.enums import AuditAction, ChunkStatus, PassStatus, ReminderTrigger
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Owed invoices (the statuses of billing.invoices.lifecycle.PAYABLE_STATUSES, with a balance) by
# due date: the aging report and the pass read these alone, however many invoices are paid.
OWED_BY_DUE_DATE = (
    "CREATE INDEX idx_invoices_owed_due ON invoices (tenant_id, due_on, balance_cents, client_id)"
    " WHERE status IN ('unpaid', 'partial') AND balance_cents > 0"
)


async def create_owed_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(OWED_BY_DUE_DATE)


async def drop_owed_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script("DROP INDEX idx_invoices_owed_due")


# The owed invoices per tenant and due date (InvoiceDueTotals), kept by triggers as migration
# 0003 keeps the totals per status: on PostgreSQL statement-level triggers append one row per due
# date a statement changes (insert-only: concurrent writers never wait on one another for it),
# folded by the daily collections pass; on SQLite row-level triggers keep one row per due date.
OWED = "status IN ('unpaid', 'partial') AND balance_cents > 0"
DUE_TOTALS_COLUMNS = "tenant_id, due_on, invoice_count, balance_cents"
FILL_DUE_TOTALS = (
    f"INSERT INTO invoice_due_totals ({DUE_TOTALS_COLUMNS}) "
    f"SELECT tenant_id, due_on, count(*), sum(balance_cents) FROM invoices WHERE {OWED} "
    "GROUP BY tenant_id, due_on"
)
DUE_TOTALS_TRIGGERS = ("insert", "update", "delete")


def _postgres_due_function(name: str, added: str | None, removed: str | None) -> str:
    parts = []
    if added:
        parts.append(
            "SELECT tenant_id, due_on, 1 AS n, balance_cents AS balance "
            f"FROM {added} WHERE {OWED}"
        )
    if removed:
        parts.append(
            "SELECT tenant_id, due_on, -1 AS n, -balance_cents AS balance "
            f"FROM {removed} WHERE {OWED}"
        )
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice_due_totals ({DUE_TOTALS_COLUMNS})
    SELECT tenant_id, due_on, sum(n), sum(balance)
    FROM ({" UNION ALL ".join(parts)}) AS changes
    GROUP BY tenant_id, due_on
    HAVING sum(n) <> 0 OR sum(balance) <> 0;
    RETURN NULL;
END
$$"""


POSTGRES_DUE_TOTALS = [
    _postgres_due_function("invoice_due_totals_insert", "added", None),
    _postgres_due_function("invoice_due_totals_update", "added", "removed"),
    _postgres_due_function("invoice_due_totals_delete", None, "removed"),
    """
CREATE FUNCTION invoice_due_totals_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM invoice_due_totals;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER invoice_due_totals_insert AFTER INSERT ON invoices "
    "REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_due_totals_insert()",
    "CREATE TRIGGER invoice_due_totals_update AFTER UPDATE ON invoices "
    "REFERENCING OLD TABLE AS removed NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_due_totals_update()",
    "CREATE TRIGGER invoice_due_totals_delete AFTER DELETE ON invoices "
    "REFERENCING OLD TABLE AS removed "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_due_totals_delete()",
    "CREATE TRIGGER invoice_due_totals_truncate AFTER TRUNCATE ON invoices "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_due_totals_truncate()",
]


def _sqlite_due_change(row: str, sign: str) -> str:
    return f"""
    INSERT INTO invoice_due_totals ({DUE_TOTALS_COLUMNS})
    SELECT {row}.tenant_id, {row}.due_on, 0, 0
    WHERE NOT EXISTS (SELECT 1 FROM invoice_due_totals
                      WHERE tenant_id = {row}.tenant_id AND due_on = {row}.due_on);
    UPDATE invoice_due_totals SET
        invoice_count = invoice_count {sign} 1,
        balance_cents = balance_cents {sign} {row}.balance_cents
    WHERE tenant_id = {row}.tenant_id AND due_on = {row}.due_on;"""


def _sqlite_owed(row: str) -> str:
    return f"{row}.status IN ('unpaid', 'partial') AND {row}.balance_cents > 0"


SQLITE_DUE_TOTALS = [
    f"CREATE TRIGGER invoice_due_totals_insert AFTER INSERT ON invoices "
    f"WHEN {_sqlite_owed('NEW')} BEGIN{_sqlite_due_change('NEW', '+')}\nEND",
    "CREATE TRIGGER invoice_due_totals_update_old "
    "AFTER UPDATE OF tenant_id, due_on, status, balance_cents ON invoices "
    f"WHEN {_sqlite_owed('OLD')} BEGIN{_sqlite_due_change('OLD', '-')}\nEND",
    "CREATE TRIGGER invoice_due_totals_update "
    "AFTER UPDATE OF tenant_id, due_on, status, balance_cents ON invoices "
    f"WHEN {_sqlite_owed('NEW')} BEGIN{_sqlite_due_change('NEW', '+')}\nEND",
    f"CREATE TRIGGER invoice_due_totals_delete AFTER DELETE ON invoices "
    f"WHEN {_sqlite_owed('OLD')} BEGIN{_sqlite_due_change('OLD', '-')}\nEND",
]


async def create_due_totals_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in POSTGRES_DUE_TOTALS if postgres else SQLITE_DUE_TOTALS:
        await client.execute_script(statement)
    await client.execute_script(FILL_DUE_TOTALS)


async def drop_due_totals_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for action in (*DUE_TOTALS_TRIGGERS, "truncate"):
            name = f"invoice_due_totals_{action}"
            await client.execute_script(f"DROP TRIGGER IF EXISTS {name} ON invoices")
            await client.execute_script(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in ("insert", "update_old", "update", "delete"):
            await client.execute_script(f"DROP TRIGGER IF EXISTS invoice_due_totals_{name}")


class Migration(migrations.Migration):
    dependencies = [('models', '0013_receivables')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CollectionsPass',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='collections_passes', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('status', fields.CharEnumField(default=PassStatus.QUEUED, description='QUEUED: queued\nRUNNING: running\nDONE: done', enum_type=PassStatus, max_length=16)),
                ('chunks_total', fields.IntField(default=0)),
                ('chunks_done', fields.IntField(default=0)),
                ('queued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'collections_passes', 'app': 'models', 'unique_together': (('tenant', 'day'),), 'pk_attr': 'id', 'table_description': "A tenant's collections pass of one local day."},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='CollectionsChunk',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('collections_pass', fields.ForeignKeyField('models.CollectionsPass', source_field='collections_pass_id', db_constraint=True, to_field='id', related_name='chunks', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('first_client_id', fields.BigIntField()),
                ('last_client_id', fields.BigIntField()),
                ('status', fields.CharEnumField(default=ChunkStatus.PENDING, description='PENDING: pending\nDONE: done', enum_type=ChunkStatus, max_length=16)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'collections_chunks', 'app': 'models', 'unique_together': (('collections_pass', 'seq'),), 'pk_attr': 'id', 'table_description': "A slice of a pass's clients (by id range, the ranges covering every id), done once."},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='InvoiceReminder',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='invoice_reminders', on_delete=OnDelete.CASCADE)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('level', fields.SmallIntField()),
                ('trigger', fields.CharEnumField(description='AUTO: auto\nMANUAL: manual', enum_type=ReminderTrigger, max_length=16)),
                ('claimed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sending_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failure', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'invoice_reminders', 'app': 'models', 'unique_together': (('invoice', 'level'),), 'indexes': [Index(fields=['tenant_id', 'sent_at'])], 'pk_attr': 'id', 'table_description': 'A reminder level of an invoice: claimed in the transaction that decided it, `sent_at` set'},
            bases=['Record'],
        ),
        ops.AlterField(
            model_name='AuditEvent',
            name='action',
            field=fields.CharEnumField(description='RUN: run\nVOID: void\nSEND: send\nDELETE: delete\nFINALIZE: finalize\nDISCARD: discard\nSETTINGS: settings\nCREDIT: credit\nPAYMENT: payment\nREVERSAL: reversal\nREFUND: refund\nAPPLY_CREDIT: apply_credit\nREMIND: remind\nLATE_FEE: late_fee\nCLIENT_STATUS: client_status\nBLOCK: block\nUNBLOCK: unblock', enum_type=AuditAction, max_length=16),
        ),
        ops.CreateModel(
            name='InvoiceDueTotals',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='invoice_due_totals', on_delete=OnDelete.CASCADE)),
                ('due_on', fields.DateField()),
                ('invoice_count', fields.BigIntField(default=0)),
                ('balance_cents', fields.BigIntField(default=0)),
            ],
            options={'table': 'invoice_due_totals', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'due_on'])], 'pk_attr': 'id', 'table_description': "A tenant's owed invoices (unpaid or partly paid, with a balance) per due date: how many"},
            bases=['Record'],
        ),
        ops.RunPython(create_owed_index, drop_owed_index),
        ops.RunPython(create_due_totals_triggers, drop_due_totals_triggers),
    ]
