"""Tenants (an ISP using the product) with their invoice settings, and their API users."""

from tortoise import fields
from tortoise.models import Model


class Tenant(Model):
    id = fields.BigIntField(primary_key=True)
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


class User(Model):
    id = fields.BigIntField(primary_key=True)
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
