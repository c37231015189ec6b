"""Credit notes: their lines and tax breakdown, each credit note numbered in the tenant's own
credit note series; the audit trail records the credit action (a new value of a text column:
only the recorded model state changes)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from orm.models.enums import AuditAction, CreditNoteSettlement


class AlterFieldStateOnly(ops.AlterField):
    """An AlterField that changes only the recorded model state: the column stays as it is."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0009_audit_settings_action')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CreditNote',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.CASCADE)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.CASCADE)),
                ('number', fields.CharField(max_length=64)),
                ('issued_on', fields.DateField()),
                ('reason', fields.TextField(unique=False)),
                ('settlement', fields.CharEnumField(description='OFFSET: offset\nCREDIT: credit\nREFUND: refund', enum_type=CreditNoteSettlement, max_length=16)),
                ('currency', fields.CharField(max_length=3)),
                ('subtotal_cents', fields.BigIntField()),
                ('tax_cents', fields.BigIntField()),
                ('total_cents', fields.BigIntField()),
                ('stripe_refund_id', fields.CharField(null=True, max_length=255)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'credit_notes', 'app': 'models', 'unique_together': (('tenant', 'number'),), 'indexes': [Index(fields=['tenant_id', 'client_id']), Index(fields=['invoice_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CreditNoteLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='credit_note_lines', on_delete=OnDelete.CASCADE)),
                ('credit_note', fields.ForeignKeyField('models.CreditNote', source_field='credit_note_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('invoice_line', fields.ForeignKeyField('models.InvoiceLine', source_field='invoice_line_id', null=True, db_constraint=True, to_field='id', related_name='credit_note_lines', on_delete=OnDelete.SET_NULL)),
                ('position', fields.SmallIntField(default=0)),
                ('description', fields.TextField(unique=False)),
                ('amount_cents', fields.BigIntField()),
                ('tax_rate', fields.DecimalField(null=True, max_digits=7, decimal_places=4)),
            ],
            options={'table': 'credit_note_lines', 'app': 'models', 'indexes': [Index(fields=['credit_note_id']), Index(fields=['invoice_line_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CreditNoteTax',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='credit_note_taxes', on_delete=OnDelete.CASCADE)),
                ('credit_note', fields.ForeignKeyField('models.CreditNote', source_field='credit_note_id', db_constraint=True, to_field='id', related_name='taxes', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharField(max_length=4)),
                ('rate', fields.DecimalField(max_digits=7, decimal_places=4)),
                ('taxable_cents', fields.BigIntField()),
                ('tax_cents', fields.BigIntField()),
                ('exemption_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'credit_note_taxes', 'app': 'models', 'indexes': [Index(fields=['credit_note_id'])], 'pk_attr': 'id', 'table_description': "One row of a credit note's tax breakdown, as the invoice's (`InvoiceTax`)."},
            bases=['Model'],
        ),
        AlterFieldStateOnly(
            model_name='AuditEvent',
            name='action',
            field=fields.CharEnumField(description='RUN: run\nVOID: void\nSEND: send\nDELETE: delete\nFINALIZE: finalize\nDISCARD: discard\nSETTINGS: settings\nCREDIT: credit', enum_type=AuditAction, max_length=16),
        ),
    ]
