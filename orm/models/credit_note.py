"""Credit notes: what was credited on an issued invoice, their lines and tax breakdown.

Amounts are positive integer minor units of the credit note's currency (the invoice's): what is
credited, whatever a `*_cents` column's name says.
"""

from tortoise import fields
from tortoise.models import Model

from billing.credit_notes.settlement import CreditNoteSettlement


class CreditNote(Model):
    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("models.Tenant", related_name="credit_notes")
    client = fields.ForeignKeyField("models.Client", related_name="credit_notes")
    invoice = fields.ForeignKeyField("models.Invoice", related_name="credit_notes")
    # The tenant's credit note series: gap-free, its own prefix.
    number = fields.CharField(max_length=64)
    issued_on = fields.DateField()
    reason = fields.TextField()
    settlement = fields.CharEnumField(CreditNoteSettlement, max_length=16)
    currency = fields.CharField(max_length=3)
    subtotal_cents = fields.BigIntField()
    tax_cents = fields.BigIntField()
    total_cents = fields.BigIntField()
    # For CREDIT: how much of the total has been applied to invoices (CreditApplication rows).
    applied_cents = fields.BigIntField(default=0, db_default=0)
    # A REFUND of a card payment: the Stripe refund that paid the money back.
    stripe_refund_id = fields.CharField(max_length=255, null=True)
    created_by = fields.ForeignKeyField(
        "models.User", related_name="credit_notes", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "credit_notes"
        unique_together = (("tenant", "number"),)
        indexes = (("tenant_id", "client_id"), ("invoice_id",))


class CreditNoteLine(Model):
    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("models.Tenant", related_name="credit_note_lines")
    credit_note = fields.ForeignKeyField(
        "models.CreditNote", related_name="lines", on_delete=fields.CASCADE
    )
    invoice_line = fields.ForeignKeyField(
        "models.InvoiceLine", related_name="credit_note_lines", null=True, on_delete=fields.SET_NULL
    )
    position = fields.SmallIntField(default=0)
    description = fields.TextField()
    # Net of tax.
    amount_cents = fields.BigIntField()
    # Percent, the credited invoice line's; null where it carried no tax.
    tax_rate = fields.DecimalField(max_digits=7, decimal_places=4, null=True)

    class Meta:
        table = "credit_note_lines"
        indexes = (("credit_note_id",), ("invoice_line_id",))


class CreditNoteTax(Model):
    """One row of a credit note's tax breakdown, as the invoice's (`InvoiceTax`)."""

    id = fields.BigIntField(primary_key=True)
    tenant = fields.ForeignKeyField("models.Tenant", related_name="credit_note_taxes")
    credit_note = fields.ForeignKeyField(
        "models.CreditNote", related_name="taxes", on_delete=fields.CASCADE
    )
    category = fields.CharField(max_length=4)
    rate = fields.DecimalField(max_digits=7, decimal_places=4)
    taxable_cents = fields.BigIntField()
    tax_cents = fields.BigIntField()
    exemption_reason = fields.TextField(null=True)

    class Meta:
        table = "credit_note_taxes"
        indexes = (("credit_note_id",),)
