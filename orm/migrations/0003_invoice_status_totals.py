"""Invoice totals per tenant and status, kept by triggers on `invoices` (the KPI cards and the
invoice list's count read them instead of every invoice); on PostgreSQL, a notification on the
`invoice_run_progress` channel at the commit of each progress step of a run, and the lines'
reference to their invoice made deferrable (a run chunk writes lines first, see run_engine).

PostgreSQL: statement-level triggers with transition tables append one row per status a statement
changes (insert-only: concurrent chunks of a run never wait on one another for it); the
application folds a tenant's rows from time to time. SQLite: row-level triggers keep one row per
status. TRUNCATE of invoices empties the totals.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from orm.models.enums import InvoiceStatus

TOTALS_COLUMNS = "tenant_id, status, invoice_count, total_cents, balance_cents, outstanding_cents"

FILL_FROM_INVOICES = (
    f"INSERT INTO invoice_status_totals ({TOTALS_COLUMNS}) "
    "SELECT tenant_id, status, count(*), sum(total_cents), sum(balance_cents), "
    "sum(CASE WHEN balance_cents > 0 THEN balance_cents ELSE 0 END) "
    "FROM invoices GROUP BY tenant_id, status"
)


def _postgres_change_function(name: str, added: str | None, removed: str | None) -> str:
    """A trigger function adding the rows of `added` and taking away those of `removed`
    (transition tables), one row per tenant and status whose totals changed."""
    parts = []
    if added:
        parts.append(
            "SELECT tenant_id, status, 1 AS n, total_cents AS total, balance_cents AS balance, "
            f"greatest(balance_cents, 0) AS outstanding FROM {added}"
        )
    if removed:
        parts.append(
            "SELECT tenant_id, status, -1 AS n, -total_cents AS total, -balance_cents AS balance, "
            f"-greatest(balance_cents, 0) AS outstanding FROM {removed}"
        )
    changes = " UNION ALL ".join(parts)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice_status_totals ({TOTALS_COLUMNS})
    SELECT tenant_id, status, sum(n), sum(total), sum(balance), sum(outstanding)
    FROM ({changes}) AS changes
    GROUP BY tenant_id, status
    HAVING sum(n) <> 0 OR sum(total) <> 0 OR sum(balance) <> 0 OR sum(outstanding) <> 0;
    RETURN NULL;
END
$$"""


POSTGRES_STATEMENTS = [
    _postgres_change_function("invoice_status_totals_insert", "added", None),
    _postgres_change_function("invoice_status_totals_update", "added", "removed"),
    _postgres_change_function("invoice_status_totals_delete", None, "removed"),
    """
CREATE FUNCTION invoice_status_totals_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM invoice_status_totals;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER invoice_status_totals_insert AFTER INSERT ON invoices "
    "REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_status_totals_insert()",
    "CREATE TRIGGER invoice_status_totals_update AFTER UPDATE ON invoices "
    "REFERENCING OLD TABLE AS removed NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_status_totals_update()",
    "CREATE TRIGGER invoice_status_totals_delete AFTER DELETE ON invoices "
    "REFERENCING OLD TABLE AS removed "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_status_totals_delete()",
    "CREATE TRIGGER invoice_status_totals_truncate AFTER TRUNCATE ON invoices "
    "FOR EACH STATEMENT EXECUTE FUNCTION invoice_status_totals_truncate()",
]
# A run's progress and status changes are announced at their commit (subscriptions wake on it).
POSTGRES_STATEMENTS += [
    """
CREATE FUNCTION invoice_run_progress_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('invoice_run_progress', NEW.id::text);
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER invoice_run_progress_notify AFTER UPDATE ON invoice_runs FOR EACH ROW "
    "WHEN (OLD.progress_version IS DISTINCT FROM NEW.progress_version "
    "OR OLD.status IS DISTINCT FROM NEW.status) "
    "EXECUTE FUNCTION invoice_run_progress_notify()",
]
# A run chunk writes its lines before its invoices, checked against them at its commit.
POSTGRES_STATEMENTS.append(
    "ALTER TABLE invoice_lines ALTER CONSTRAINT invoice_lines_invoice_id_fkey "
    "DEFERRABLE INITIALLY IMMEDIATE"
)
POSTGRES_FUNCTIONS = [
    "invoice_run_progress_notify",
    "invoice_status_totals_insert",
    "invoice_status_totals_update",
    "invoice_status_totals_delete",
    "invoice_status_totals_truncate",
]


def _sqlite_add(row: str, sign: str) -> str:
    """Statements adding (sign '+') or taking away ('-') one invoice row (NEW or OLD)."""
    return f"""
    INSERT INTO invoice_status_totals ({TOTALS_COLUMNS})
    SELECT {row}.tenant_id, {row}.status, 0, 0, 0, 0
    WHERE NOT EXISTS (SELECT 1 FROM invoice_status_totals
                      WHERE tenant_id = {row}.tenant_id AND status = {row}.status);
    UPDATE invoice_status_totals SET
        invoice_count = invoice_count {sign} 1,
        total_cents = total_cents {sign} {row}.total_cents,
        balance_cents = balance_cents {sign} {row}.balance_cents,
        outstanding_cents = outstanding_cents {sign} max({row}.balance_cents, 0)
    WHERE tenant_id = {row}.tenant_id AND status = {row}.status;"""


SQLITE_STATEMENTS = [
    "CREATE TRIGGER invoice_status_totals_insert AFTER INSERT ON invoices BEGIN"
    f"{_sqlite_add('NEW', '+')}\nEND",
    "CREATE TRIGGER invoice_status_totals_update "
    "AFTER UPDATE OF tenant_id, status, total_cents, balance_cents ON invoices BEGIN"
    f"{_sqlite_add('OLD', '-')}{_sqlite_add('NEW', '+')}\nEND",
    "CREATE TRIGGER invoice_status_totals_delete AFTER DELETE ON invoices BEGIN"
    f"{_sqlite_add('OLD', '-')}\nEND",
]
TRIGGER_NAMES = [
    "invoice_status_totals_insert",
    "invoice_status_totals_update",
    "invoice_status_totals_delete",
]


async def create_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in POSTGRES_STATEMENTS if postgres else SQLITE_STATEMENTS:
        await client.execute_script(statement)
    await client.execute_script(FILL_FROM_INVOICES)


async def drop_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for name in [*TRIGGER_NAMES, "invoice_status_totals_truncate"]:
            await client.execute_script(f"DROP TRIGGER IF EXISTS {name} ON invoices")
        await client.execute_script(
            "DROP TRIGGER IF EXISTS invoice_run_progress_notify ON invoice_runs"
        )
        await client.execute_script(
            "ALTER TABLE invoice_lines ALTER CONSTRAINT invoice_lines_invoice_id_fkey "
            "NOT DEFERRABLE"
        )
        for name in POSTGRES_FUNCTIONS:
            await client.execute_script(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in TRIGGER_NAMES:
            await client.execute_script(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("models", "0002_integrity_and_search_indexes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="InvoiceStatusTotals",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("tenant", fields.ForeignKeyField("models.Tenant", source_field="tenant_id", db_constraint=True, to_field="id", related_name="invoice_totals", on_delete=OnDelete.CASCADE)),
                ("status", fields.CharEnumField(description="DRAFT: draft\nUNPAID: unpaid\nPARTIAL: partial\nPAID: paid\nVOID: void", enum_type=InvoiceStatus, max_length=16)),
                ("invoice_count", fields.BigIntField(default=0)),
                ("total_cents", fields.BigIntField(default=0)),
                ("balance_cents", fields.BigIntField(default=0)),
                ("outstanding_cents", fields.BigIntField(default=0)),
            ],
            options={"table": "invoice_status_totals", "app": "models", "indexes": [Index(fields=["tenant_id", "status"])], "pk_attr": "id", "table_description": "A tenant's invoice totals per status, kept by database triggers on the invoices."},
            bases=["Model"],
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
