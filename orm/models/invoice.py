"""Invoices and their lines."""

from tortoise import fields

from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from orm.models.base import Record


class Invoice(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="invoices")
    client = fields.ForeignKeyField("models.Client", related_name="invoices")
    run = fields.ForeignKeyField(
        "models.InvoiceRun", related_name="invoices", null=True, on_delete=fields.SET_NULL
    )
    # The key of an imported invoice (history carried over from another system).
    import_key = fields.CharField(max_length=64, null=True)
    number = fields.CharField(max_length=64, null=True)
    status = fields.CharEnumField(InvoiceStatus, max_length=16)
    issued_on = fields.DateField()
    # Stored at issue: changing the tenant's terms later moves no open invoice.
    due_on = fields.DateField()
    grace_until = fields.DateField()
    period_start = fields.DateField(null=True)
    period_end = fields.DateField(null=True)
    currency = fields.CharField(max_length=3)
    total_cents = fields.BigIntField()
    balance_cents = fields.BigIntField()
    # total = subtotal (the lines' net amounts) + tax; what credit notes took off so far.
    subtotal_cents = fields.BigIntField(default=0, db_default=0)
    tax_cents = fields.BigIntField(default=0, db_default=0)
    credited_cents = fields.BigIntField(default=0, db_default=0)
    # Whether the invoice is to be emailed when issued, resolved from tenant and service settings.
    auto_email = fields.BooleanField(default=False)
    emailed_at = fields.DatetimeField(null=True)
    # When the last manual send began: another starts only a minute later, unless forced.
    email_claimed_at = fields.DatetimeField(null=True)
    voided_at = fields.DatetimeField(null=True)
    void_reason = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invoices"
        unique_together = (("tenant", "number"), ("run", "client"), ("client", "import_key"))
        indexes = (
            ("tenant_id", "issued_on", "id"),
            ("tenant_id", "status"),
            ("tenant_id", "client_id"),
        )


class InvoiceLine(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="invoice_lines")
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="lines", on_delete=fields.CASCADE
    )
    position = fields.SmallIntField(default=0)
    kind = fields.CharEnumField(InvoiceLineKind, max_length=16)
    # Text: a service's description (up to 255 characters) plus its period text.
    description = fields.TextField()
    quantity = fields.DecimalField(max_digits=12, decimal_places=3)
    unit_price_cents = fields.BigIntField()
    amount_cents = fields.BigIntField()
    period_start = fields.DateField(null=True)
    period_end = fields.DateField(null=True)
    service = fields.ForeignKeyField(
        "models.Service", related_name="invoice_lines", null=True, on_delete=fields.SET_NULL
    )
    charge = fields.ForeignKeyField(
        "models.Charge", related_name="invoice_lines", null=True, on_delete=fields.SET_NULL
    )
    # False once the invoice is void. A partial unique index over live lines lets each service
    # period and each charge be billed by at most one live invoice: the database refuses a
    # double-billed period whatever the code above it does.
    live = fields.BooleanField(default=True)
    # Percent; null where the line carries no tax. `amount_cents` is net of tax.
    tax_rate = fields.DecimalField(max_digits=7, decimal_places=4, null=True)

    class Meta:
        table = "invoice_lines"


class InvoiceStatusTotals(Record):
    """A tenant's invoice totals per status, kept by database triggers on the invoices.

    The KPI cards and the invoice list's count read a few of these rows, not every invoice (the
    triggers are in migration 0003). The sum of a tenant's rows for a status is the truth. On
    PostgreSQL each statement that changes invoices adds its change as a row of its own, so
    concurrent writers never wait on one another, and `billing.invoices.totals` folds the rows
    now and then; on SQLite, whose writers take turns anyway, each status keeps one row."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="invoice_totals")
    status = fields.CharEnumField(InvoiceStatus, max_length=16)
    invoice_count = fields.BigIntField(default=0)
    total_cents = fields.BigIntField(default=0)
    balance_cents = fields.BigIntField(default=0)
    # The sum of the balances above zero: what clients still owe.
    outstanding_cents = fields.BigIntField(default=0)

    class Meta:
        table = "invoice_status_totals"
        indexes = (("tenant_id", "status"),)


class InvoiceTax(Record):
    """One row of an invoice's tax breakdown: the tax of one rate, rounded once for the rate
    (EN 16931 BR-CO-17), with its category (S standard, Z zero-rated, E exempt, AE reverse
    charge, O outside the scope of tax)."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="invoice_taxes")
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="taxes", on_delete=fields.CASCADE
    )
    category = fields.CharField(max_length=4)
    rate = fields.DecimalField(max_digits=7, decimal_places=4)
    taxable_cents = fields.BigIntField()
    tax_cents = fields.BigIntField()
    exemption_reason = fields.TextField(null=True)

    class Meta:
        table = "invoice_taxes"
        indexes = (("invoice_id",),)


class InvoiceDueTotals(Record):
    """A tenant's owed invoices (unpaid or partly paid, with a balance) per due date: how many
    and their balance, kept by database triggers on the invoices (migration 0014), so the aging
    report buckets due dates instead of every owed invoice. The sum of a tenant's rows for a due
    date is the truth: on PostgreSQL each statement that changes owed invoices adds its change as
    a row of its own (concurrent writers never wait on one another), and the daily collections
    pass folds the rows; on SQLite each due date keeps one row."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="invoice_due_totals")
    due_on = fields.DateField()
    invoice_count = fields.BigIntField(default=0)
    balance_cents = fields.BigIntField(default=0)

    class Meta:
        table = "invoice_due_totals"
        indexes = (("tenant_id", "due_on"),)
