"""Tenants (an ISP using the product) with their invoice settings, and their API users."""

from tortoise import fields

from orm.models.base import Record


class Tenant(Record):
    key = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    currency = fields.CharField(max_length=3, default="USD")
    timezone = fields.CharField(max_length=64, default="UTC")

    # Settings → Invoices
    payment_terms_days = fields.IntField(default=14)
    grace_period_days = fields.IntField(default=7)
    billing_cycle_day = fields.SmallIntField(null=True)
    auto_generate = fields.BooleanField(default=False)
    auto_email = fields.BooleanField(default=False)
    auto_charge = fields.BooleanField(default=False)
    review_runs = fields.BooleanField(default=False)
    invoice_number_prefix = fields.CharField(max_length=32, default="INV-")
    # The last sequence number handed out; raised under a row lock in the issuing transaction,
    # so numbers are gap-free (a rolled-back run rolls this back too).
    invoice_sequence = fields.BigIntField(default=0)
    credit_note_number_prefix = fields.CharField(max_length=32, default="CN-", db_default="CN-")
    # The credit notes' own gap-free series, taken like invoice numbers.
    credit_note_sequence = fields.BigIntField(default=0, db_default=0)

    # The seller as printed on every document.
    legal_name = fields.CharField(max_length=200, null=True)  # null: the tenant's name
    address = fields.TextField(null=True)
    tax_id = fields.CharField(max_length=32, null=True)
    payment_instructions = fields.TextField(null=True)

    # Taxes: rates are percents; a service or charge without its own rate takes the default.
    prices_include_tax = fields.BooleanField(default=False, db_default=False)
    default_tax_rate = fields.DecimalField(max_digits=7, decimal_places=4, null=True)
    issued_invoices_immutable = fields.BooleanField(default=False, db_default=False)

    # Collections and receivables.
    reminder_days = fields.JSONField(default=list, db_default="[]")
    late_fee_cents = fields.BigIntField(null=True)
    late_fee_percent = fields.DecimalField(max_digits=5, decimal_places=2, null=True)
    block_after_grace = fields.BooleanField(default=False, db_default=False)
    auto_apply_credit = fields.BooleanField(default=True, db_default=True)

    # The tenant's outgoing mailbox (SMTP).
    mailbox_host = fields.CharField(max_length=255, null=True)
    mailbox_port = fields.IntField(null=True)
    mailbox_username = fields.CharField(max_length=255, null=True)
    mailbox_password = fields.CharField(max_length=255, null=True)
    mailbox_starttls = fields.BooleanField(default=False)
    mailbox_from_address = fields.CharField(max_length=255, null=True)

    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tenants"


class User(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="users")
    key = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    # SHA-256 of the API token; the token itself is never stored.
    token_hash = fields.CharField(max_length=64, unique=True)
    permissions = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "users"
        unique_together = (("tenant", "key"),)
