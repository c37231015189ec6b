"""What happened when an invoice was emailed or charged: one row per attempt."""

from tortoise import fields

from billing.delivery.attempts import ChargeAttemptStatus, EmailResult, EmailTrigger
from orm.models.base import Record


class EmailAttempt(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="email_attempts")
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="email_attempts", on_delete=fields.CASCADE
    )
    trigger = fields.CharEnumField(EmailTrigger, max_length=16)
    recipient = fields.CharField(max_length=255, null=True)
    attempted_at = fields.DatetimeField(auto_now_add=True)
    result = fields.CharEnumField(EmailResult, max_length=16)
    # A permanent failure (a refused address) is not retried.
    permanent = fields.BooleanField(default=False)
    error = fields.TextField(null=True)

    class Meta:
        table = "email_attempts"
        indexes = (("invoice_id",),)


class ChargeAttempt(Record):
    """A Stripe charge attempt, whose id is the Stripe idempotency key.

    A partial unique index allows one in-flight attempt per invoice, so two jobs for one invoice
    cannot both reach Stripe.
    """

    tenant = fields.ForeignKeyField("models.Tenant", related_name="charge_attempts")
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="charge_attempts", on_delete=fields.CASCADE
    )
    amount_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    status = fields.CharEnumField(ChargeAttemptStatus, max_length=16)
    stripe_payment_intent_id = fields.CharField(max_length=255, null=True)
    error_code = fields.CharField(max_length=100, null=True)
    error_message = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "charge_attempts"
        indexes = (("invoice_id",),)
