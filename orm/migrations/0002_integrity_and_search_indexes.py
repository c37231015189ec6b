"""Indexes the models cannot declare: partial unique indexes that make double billing impossible
in the database itself, foreign-key indexes, and (PostgreSQL only) trigram indexes for live search.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

PORTABLE_INDEXES = [
    # One live invoice per service period and per one-time charge.
    "CREATE UNIQUE INDEX uniq_live_service_period ON invoice_lines (service_id, period_start)"
    " WHERE live AND service_id IS NOT NULL",
    "CREATE UNIQUE INDEX uniq_live_charge ON invoice_lines (charge_id)"
    " WHERE live AND charge_id IS NOT NULL",
    # One queued, running or awaiting-review run per tenant.
    "CREATE UNIQUE INDEX uniq_active_run_per_tenant ON invoice_runs (tenant_id)"
    " WHERE status IN ('queued', 'running', 'awaiting_review')",
    # One Stripe attempt in flight per invoice.
    "CREATE UNIQUE INDEX uniq_in_flight_charge_attempt ON charge_attempts (invoice_id)"
    " WHERE status = 'in_flight'",
    "CREATE INDEX idx_invoice_lines_invoice ON invoice_lines (invoice_id)",
    "CREATE INDEX idx_services_client ON services (client_id)",
    "CREATE INDEX idx_charges_client ON charges (client_id)",
    "CREATE INDEX idx_charges_invoice ON charges (invoice_id)",
    "CREATE INDEX idx_payment_allocations_payment ON payment_allocations (payment_id)",
    "CREATE INDEX idx_clients_tenant_id ON clients (tenant_id, id)",
]

POSTGRES_SEARCH_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX idx_invoices_number_trgm ON invoices USING gin (lower(number) gin_trgm_ops)",
    "CREATE INDEX idx_clients_name_trgm ON clients USING gin (lower(name) gin_trgm_ops)",
]


async def create_indexes(apps, schema_editor) -> None:
    client = schema_editor.client
    statements = list(PORTABLE_INDEXES)
    if client.capabilities.dialect == "postgres":
        statements += POSTGRES_SEARCH_INDEXES
    for statement in statements:
        await client.execute_script(statement)


async def drop_indexes(apps, schema_editor) -> None:
    client = schema_editor.client
    names = [s.split(" ON ")[0].split()[-1] for s in PORTABLE_INDEXES]
    if client.capabilities.dialect == "postgres":
        names += [s.split(" ON ")[0].split()[-1] for s in POSTGRES_SEARCH_INDEXES[1:]]
    for name in names:
        await client.execute_script(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [ops.RunPython(create_indexes, drop_indexes)]
