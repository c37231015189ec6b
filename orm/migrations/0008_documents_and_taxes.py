"""Documents a tax auditor accepts: the seller's and the buyer's identity, tax rates on services,
charges and invoice lines, each invoice's subtotal, tax and tax breakdown, credit notes' own
number series, and the settings collections and receivables follow. New columns that may not be
empty carry a database default, so rows written before (or by SQL of their own) get it; invoices
issued before carry no tax: their subtotal is their total."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from orm.models.enums import BlockedReason


async def untaxed_subtotals(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        "UPDATE invoices SET subtotal_cents = total_cents, tax_cents = 0"
    )


async def no_change(apps, schema_editor) -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [('models', '0007_line_descriptions_and_rebill_periods')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InvoiceTax',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='invoice_taxes', on_delete=OnDelete.CASCADE)),
                ('invoice', fields.ForeignKeyField('models.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='taxes', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharField(max_length=4)),
                ('rate', fields.DecimalField(max_digits=7, decimal_places=4)),
                ('taxable_cents', fields.BigIntField()),
                ('tax_cents', fields.BigIntField()),
                ('exemption_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'invoice_taxes', 'app': 'models', 'indexes': [Index(fields=['invoice_id'])], 'pk_attr': 'id', 'table_description': "One row of an invoice's tax breakdown: the tax of one rate, rounded once for the rate"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Charge',
            name='tax_rate',
            field=fields.DecimalField(null=True, max_digits=7, decimal_places=4),
        ),
        ops.AddField(
            model_name='Client',
            name='address',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Client',
            name='blocked_reason',
            field=fields.CharEnumField(null=True, description='MANUAL: manual\nOVERDUE: overdue', enum_type=BlockedReason, max_length=16),
        ),
        ops.AddField(
            model_name='Client',
            name='tax_exempt',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Client',
            name='tax_exempt_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Client',
            name='tax_id',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Invoice',
            name='credited_cents',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Invoice',
            name='subtotal_cents',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Invoice',
            name='tax_cents',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='InvoiceLine',
            name='tax_rate',
            field=fields.DecimalField(null=True, max_digits=7, decimal_places=4),
        ),
        ops.AddField(
            model_name='Service',
            name='tax_rate',
            field=fields.DecimalField(null=True, max_digits=7, decimal_places=4),
        ),
        ops.AddField(
            model_name='Tenant',
            name='address',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='auto_apply_credit',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Tenant',
            name='block_after_grace',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='credit_note_number_prefix',
            field=fields.CharField(default='CN-', db_default='CN-', max_length=32),
        ),
        ops.AddField(
            model_name='Tenant',
            name='credit_note_sequence',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Tenant',
            name='default_tax_rate',
            field=fields.DecimalField(null=True, max_digits=7, decimal_places=4),
        ),
        ops.AddField(
            model_name='Tenant',
            name='issued_invoices_immutable',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='late_fee_cents',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Tenant',
            name='late_fee_percent',
            field=fields.DecimalField(null=True, max_digits=5, decimal_places=2),
        ),
        ops.AddField(
            model_name='Tenant',
            name='legal_name',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Tenant',
            name='payment_instructions',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='prices_include_tax',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='reminder_days',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Tenant',
            name='tax_id',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.RunPython(untaxed_subtotals, no_change),
    ]
