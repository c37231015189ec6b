"""Payments received, their allocation to invoices, what was paid back, and the credit of
credit notes applied to invoices."""

from tortoise import fields

from billing.payments.methods import PaymentStatus
from orm.models.base import Record


class Payment(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="payments")
    client = fields.ForeignKeyField("models.Client", related_name="payments")
    amount_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    # The day the money was received.
    paid_on = fields.DateField()
    # A PaymentMethod value; an imported payment keeps its file's text.
    method = fields.CharField(max_length=32)
    # The bank's or the customer's reference (a cheque number, a transfer's text).
    reference = fields.CharField(max_length=255, null=True)
    status = fields.CharEnumField(
        PaymentStatus, max_length=16, default=PaymentStatus.RECEIVED, db_default="received"
    )
    # Kept equal, in the transaction that changes them, to the sum of the payment's allocations
    # and of its refunds: the client's credit balance is a sum over its payments' rows.
    allocated_cents = fields.BigIntField(default=0, db_default=0)
    refunded_cents = fields.BigIntField(default=0, db_default=0)
    reversed_on = fields.DateField(null=True)
    reversal_reason = fields.TextField(null=True)
    # An imported payment's place in its invoice's history ("<invoice key>#<n>"), for re-import.
    import_key = fields.CharField(max_length=100, null=True)
    stripe_payment_intent_id = fields.CharField(max_length=255, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payments"
        unique_together = (("client", "import_key"),)
        indexes = (("tenant_id", "paid_on"), ("client_id", "paid_on"))


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


class PaymentRefund(Record):
    """Money paid back out of a payment's unallocated part."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="payment_refunds")
    client = fields.ForeignKeyField("models.Client", related_name="payment_refunds")
    payment = fields.ForeignKeyField(
        "models.Payment", related_name="refunds", on_delete=fields.CASCADE
    )
    amount_cents = fields.BigIntField()
    refunded_on = fields.DateField()
    # A CARD payment's refund through Stripe.
    stripe_refund_id = fields.CharField(max_length=255, null=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name="payment_refunds", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_refunds"
        indexes = (("payment_id",), ("client_id",))


class CreditApplication(Record):
    """Part of a credit note settled as CREDIT, applied to an invoice of the same client: it
    lowers that invoice's balance as an allocation of a payment would."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="credit_applications")
    credit_note = fields.ForeignKeyField(
        "models.CreditNote", related_name="applications", on_delete=fields.CASCADE
    )
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="credit_applications", on_delete=fields.CASCADE
    )
    amount_cents = fields.BigIntField()
    applied_on = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "credit_applications"
        indexes = (("invoice_id",), ("credit_note_id",))
