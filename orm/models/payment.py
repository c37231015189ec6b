"""Payments received and their allocation to invoices."""

from tortoise import fields

from orm.models.base import Record


class Payment(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="payments")
    client = fields.ForeignKeyField("models.Client", related_name="payments")
    amount_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    paid_on = fields.DateField()
    method = fields.CharField(max_length=32)
    # An imported payment's place in its invoice's history ("<invoice key>#<n>"), for re-import.
    import_key = fields.CharField(max_length=100, null=True)
    stripe_payment_intent_id = fields.CharField(max_length=255, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payments"
        unique_together = (("client", "import_key"),)


class PaymentAllocation(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="allocations")
    payment = fields.ForeignKeyField(
        "models.Payment", related_name="allocations", on_delete=fields.CASCADE
    )
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="allocations", on_delete=fields.CASCADE
    )
    amount_cents = fields.BigIntField()

    class Meta:
        table = "payment_allocations"
        indexes = (("invoice_id",),)
