"""Collections: the daily pass per tenant and day with its chunks, the reminders claimed and sent
per invoice and level, the audit actions of collections, and the index of owed invoices by due
date that the aging report and the pass read."""

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
        ops.RunPython(create_owed_index, drop_owed_index),
    ]
