"""Line descriptions of any length (a service's description plus its period text), the periods a
void with reset puts back to be billed again, and the run's count of invoices it could not email.

On PostgreSQL the description column becomes `text`; SQLite never enforced the length, and
altering the column there would rebuild the table without the partial unique indexes of 0002, so
only the recorded model state changes on SQLite.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class AlterColumnTypeOnPostgres(ops.AlterField):
    """An AlterField whose database change is an in-place `ALTER COLUMN … TYPE` on PostgreSQL
    and nothing on SQLite."""

    def __init__(self, model_name: str, name: str, field, table: str, sql_type: str) -> None:
        super().__init__(model_name, name, field)
        self.table = table
        self.sql_type = sql_type

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor and state_editor.client.capabilities.dialect == "postgres":
            await state_editor.client.execute_script(
                f"ALTER TABLE {self.table} ALTER COLUMN {self.name} TYPE {self.sql_type}"
            )

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor and state_editor.client.capabilities.dialect == "postgres":
            await state_editor.client.execute_script(
                f"ALTER TABLE {self.table} ALTER COLUMN {self.name} TYPE varchar(255)"
            )


PENDING_REBILL_INDEX = (
    "CREATE INDEX idx_rebill_periods_pending ON service_rebill_periods (service_id, period_start)"
    " WHERE line_id IS NULL"
)


async def create_pending_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(PENDING_REBILL_INDEX)


async def drop_pending_index(apps, schema_editor) -> None:
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS idx_rebill_periods_pending")


class Migration(migrations.Migration):
    dependencies = [("models", "0006_charge_attempt_intent_index")]

    initial = False

    operations = [
        AlterColumnTypeOnPostgres(
            model_name="InvoiceLine",
            name="description",
            field=fields.TextField(),
            table="invoice_lines",
            sql_type="text",
        ),
        ops.AddField(
            model_name="InvoiceRun",
            name="email_failures",
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.CreateModel(
            name="ServiceRebillPeriod",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("tenant", fields.ForeignKeyField("models.Tenant", source_field="tenant_id", db_constraint=True, to_field="id", related_name="rebill_periods", on_delete=OnDelete.CASCADE)),
                ("service", fields.ForeignKeyField("models.Service", source_field="service_id", db_constraint=True, to_field="id", related_name="rebill_periods", on_delete=OnDelete.CASCADE)),
                ("period_start", fields.DateField()),
                ("period_end", fields.DateField()),
                ("voided_invoice", fields.ForeignKeyField("models.Invoice", source_field="voided_invoice_id", null=True, db_constraint=True, to_field="id", related_name="rebill_periods", on_delete=OnDelete.SET_NULL)),
                ("line", fields.ForeignKeyField("models.InvoiceLine", source_field="line_id", null=True, db_constraint=True, to_field="id", related_name="rebill_periods", on_delete=OnDelete.SET_NULL)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "service_rebill_periods", "app": "models", "indexes": [Index(fields=["tenant_id", "service_id"])], "pk_attr": "id", "table_description": "A service period a void with reset put back: the next run bills it again, once."},
            bases=["Model"],
        ),
        ops.RunPython(create_pending_index, drop_pending_index),
    ]
