"""Indexes for the invoice list's sort orders and the overview's monthly figures, at a million
invoices a tenant.

Each sort order reads `(tenant_id, sort value, id)` in index order from the page's position on
(`billing.invoices._newest`); the number order sorts a draft's missing number as the empty text,
so its index is on that expression; the overdue filter reads the owed invoices' own partial index
by due date. The client order walks the clients by name and each client's
invoices by id. The monthly figures sum invoices by issue date and payments by payment date from
the index alone.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = [
    "CREATE INDEX idx_invoices_number_order ON invoices (tenant_id, (COALESCE(number, '')), id)",
    "CREATE INDEX idx_invoices_due_order ON invoices (tenant_id, due_on, id)",
    "CREATE INDEX idx_invoices_total_order ON invoices (tenant_id, total_cents, id)",
    "CREATE INDEX idx_invoices_balance_order ON invoices (tenant_id, balance_cents, id)",
    "CREATE INDEX idx_invoices_client_order ON invoices (tenant_id, client_id, id)",
    "CREATE INDEX idx_clients_name_order ON clients (tenant_id, name, id)",
    # The "overdue only" filter: owed invoices by due date (billing.invoices.overdue).
    "CREATE INDEX idx_invoices_owed ON invoices (tenant_id, due_on, id) "
    "WHERE status IN ('unpaid', 'partial') AND balance_cents > 0",
    "CREATE INDEX idx_invoices_monthly ON invoices (tenant_id, issued_on, status, total_cents)",
    "CREATE INDEX idx_payments_monthly ON payments (tenant_id, paid_on, amount_cents)",
]


def _name(statement: str) -> str:
    return statement.split(" ON ")[0].split()[-1]


async def create_indexes(apps, schema_editor) -> None:
    for statement in INDEXES:
        await schema_editor.client.execute_script(statement)


async def drop_indexes(apps, schema_editor) -> None:
    for statement in INDEXES:
        await schema_editor.client.execute_script(f"DROP INDEX IF EXISTS {_name(statement)}")


class Migration(migrations.Migration):
    dependencies = [("models", "0015_bank_statements")]

    initial = False

    operations = [ops.RunPython(create_indexes, drop_indexes)]
