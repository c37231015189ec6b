"""The audit trail records changes of Settings → Invoices (action "settings"): the column's
description lists the actions; the column itself holds them already."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from orm.models.enums import AuditAction


class Migration(migrations.Migration):
    dependencies = [("models", "0008_documents_and_taxes")]

    operations = [
        ops.AlterField(
            model_name="AuditEvent",
            name="action",
            field=fields.CharEnumField(
                description=(
                    "RUN: run\nVOID: void\nSEND: send\nDELETE: delete\nFINALIZE: finalize\n"
                    "DISCARD: discard\nSETTINGS: settings"
                ),
                enum_type=AuditAction,
                max_length=16,
            ),
        ),
    ]
