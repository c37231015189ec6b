"""On PostgreSQL, the tax breakdown's reference to its invoice made deferrable, as the lines'
is (migration 0003): a run chunk writes an invoice's tax rows with its lines, before it takes
the invoice numbers, checked against the invoices at its commit."""

from tortoise import migrations
from tortoise.migrations import operations as ops

CONSTRAINT = "ALTER TABLE invoice_taxes ALTER CONSTRAINT invoice_taxes_invoice_id_fkey"


async def defer_check(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(f"{CONSTRAINT} DEFERRABLE INITIALLY IMMEDIATE")


async def check_at_once(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(f"{CONSTRAINT} NOT DEFERRABLE")


class Migration(migrations.Migration):
    dependencies = [("models", "0011_document_files")]

    initial = False

    operations = [
        ops.RunPython(defer_check, check_at_once),
    ]
