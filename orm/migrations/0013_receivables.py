"""Receivables: a payment's reference and status, what of it is allocated and refunded (kept
beside its rows so a client's credit balance is one sum), refunds, and the credit of credit notes
applied to invoices. Existing payments get their allocated sums and card payments the method
`card`; the audit trail's new actions change only the recorded model state."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from orm.models.enums import AuditAction, PaymentStatus

CARRY_OVER = [
    # Payments recorded before this migration: what their allocations add up to.
    "UPDATE payments SET allocated_cents = (SELECT COALESCE(SUM(a.amount_cents), 0)"
    " FROM payment_allocations a WHERE a.payment_id = payments.id)",
    # Stripe auto-charges were stored with the method "stripe": they are card payments.
    "UPDATE payments SET method = 'card' WHERE method = 'stripe'",
]


# Where a client's credit is held: a run finds the few clients of a chunk that hold any through
# these, without reading every payment.
CREDIT_INDEXES = [
    "CREATE INDEX idx_payments_holding_credit ON payments (tenant_id, client_id)"
    " WHERE status = 'received' AND amount_cents > allocated_cents + refunded_cents",
    "CREATE INDEX idx_credit_notes_holding_credit ON credit_notes (tenant_id, client_id)"
    " WHERE settlement = 'credit' AND total_cents > applied_cents",
    "CREATE INDEX idx_payment_refunds_tenant ON payment_refunds (tenant_id, refunded_on)",
]


async def carry_over_payments(apps, schema_editor) -> None:
    for statement in CARRY_OVER + CREDIT_INDEXES:
        await schema_editor.client.execute_script(statement)


async def drop_credit_indexes(apps, schema_editor) -> None:
    for statement in CREDIT_INDEXES:
        name = statement.split(" ON ")[0].split()[-1]
        await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {name}")


class AlterFieldStateOnly(ops.AlterField):
    """An AlterField that changes only the recorded model state: the column stays as it is."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0012_invoice_taxes_deferrable')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CreditApplication',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='credit_applications', on_delete=OnDelete.CASCADE)),
                ('credit_note', fields.ForeignKeyField('models.CreditNote', source_field='credit_note_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.CASCADE)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='credit_applications', on_delete=OnDelete.CASCADE)),
                ('amount_cents', fields.BigIntField()),
                ('applied_on', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'credit_applications', 'app': 'models', 'indexes': [Index(fields=['invoice_id']), Index(fields=['credit_note_id'])], 'pk_attr': 'id', 'table_description': 'Part of a credit note settled as CREDIT, applied to an invoice of the same client: it'},
            bases=['Record'],
        ),
        ops.CreateModel(
            name='PaymentRefund',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='payment_refunds', on_delete=OnDelete.CASCADE)),
                ('client', fields.ForeignKeyField('models.Client', source_field='client_id', db_constraint=True, to_field='id', related_name='payment_refunds', on_delete=OnDelete.CASCADE)),
                ('payment', fields.ForeignKeyField('models.Payment', source_field='payment_id', db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.CASCADE)),
                ('amount_cents', fields.BigIntField()),
                ('refunded_on', fields.DateField()),
                ('stripe_refund_id', fields.CharField(null=True, max_length=255)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='payment_refunds', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'payment_refunds', 'app': 'models', 'indexes': [Index(fields=['payment_id']), Index(fields=['client_id'])], 'pk_attr': 'id', 'table_description': "Money paid back out of a payment's unallocated part."},
            bases=['Record'],
        ),
        AlterFieldStateOnly(
            model_name='AuditEvent',
            name='action',
            field=fields.CharEnumField(description='RUN: run\nVOID: void\nSEND: send\nDELETE: delete\nFINALIZE: finalize\nDISCARD: discard\nSETTINGS: settings\nCREDIT: credit\nPAYMENT: payment\nREVERSAL: reversal\nREFUND: refund\nAPPLY_CREDIT: apply_credit', enum_type=AuditAction, max_length=16),
        ),
        ops.AddField(
            model_name='CreditNote',
            name='applied_cents',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Payment',
            name='allocated_cents',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Payment',
            name='reference',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='Payment',
            name='refunded_cents',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Payment',
            name='reversal_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Payment',
            name='reversed_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Payment',
            name='status',
            field=fields.CharEnumField(default=PaymentStatus.RECEIVED, description='RECEIVED: received\nREVERSED: reversed', db_default='received', enum_type=PaymentStatus, max_length=16),
        ),
        ops.AddIndex(
            model_name='Payment',
            index=Index(fields=['tenant_id', 'paid_on']),
        ),
        ops.AddIndex(
            model_name='Payment',
            index=Index(fields=['client_id', 'paid_on']),
        ),
        ops.RunPython(carry_over_payments, drop_credit_indexes),
    ]
