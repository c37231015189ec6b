"""Clients of a tenant and what they are billed for: recurring services and one-time charges."""

from tortoise import fields

from billing.clients.eligibility import BlockedReason, ChargeStatus, ClientStatus, ServiceStatus
from billing.periods import ServicePeriod
from orm.models.base import Record


class Client(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="clients")
    key = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=255, null=True)
    status = fields.CharEnumField(ClientStatus, max_length=16, default=ClientStatus.ACTIVE)
    blocked = fields.BooleanField(default=False)
    stripe_customer_id = fields.CharField(max_length=255, null=True)
    stripe_payment_method_id = fields.CharField(max_length=255, null=True)
    # The buyer as printed on the client's documents.
    address = fields.TextField(null=True)
    tax_id = fields.CharField(max_length=32, null=True)
    # No tax on the client's invoices (exempt, or reverse charge), with the reason printed.
    tax_exempt = fields.BooleanField(default=False, db_default=False)
    tax_exempt_reason = fields.TextField(null=True)
    blocked_reason = fields.CharEnumField(BlockedReason, max_length=16, null=True)

    class Meta:
        table = "clients"
        unique_together = (("tenant", "key"),)
        indexes = (("tenant_id", "name"),)


class Service(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="services")
    client = fields.ForeignKeyField("models.Client", related_name="services")
    key = fields.CharField(max_length=64)
    description = fields.CharField(max_length=255)
    price_cents = fields.BigIntField()
    quantity = fields.DecimalField(max_digits=12, decimal_places=3, default=1)
    period = fields.CharEnumField(ServicePeriod, max_length=16, default=ServicePeriod.MONTHLY)
    # The first day of the next period to bill (billing is in advance).
    next_bill_date = fields.DateField()
    # The day of the month periods start on; kept apart from next_bill_date so that a service
    # anchored on the 31st returns to the 31st after a short month.
    anchor_day = fields.SmallIntField()
    status = fields.CharEnumField(ServiceStatus, max_length=16, default=ServiceStatus.ACTIVE)
    billable = fields.BooleanField(default=True)
    auto_email = fields.BooleanField(null=True)
    # Percent; null: the tenant's default rate.
    tax_rate = fields.DecimalField(max_digits=7, decimal_places=4, null=True)
    # The next bill date the last import gave: a later import that gives it again changes
    # nothing, so the schedule runs and voids moved since stays theirs.
    imported_next_bill_date = fields.DateField(null=True)

    class Meta:
        table = "services"
        unique_together = (("client", "key"),)
        indexes = (("tenant_id", "next_bill_date"),)


class Charge(Record):
    """A one-time charge, billed by the first run whose date reaches `scheduled_on`."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="charges")
    client = fields.ForeignKeyField("models.Client", related_name="charges")
    key = fields.CharField(max_length=64)
    description = fields.CharField(max_length=255)
    amount_cents = fields.BigIntField()
    scheduled_on = fields.DateField()
    status = fields.CharEnumField(ChargeStatus, max_length=16, default=ChargeStatus.PENDING)
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="charges", null=True, on_delete=fields.SET_NULL
    )
    # The status the last import gave: a later import that gives it again leaves the status
    # runs and voids set since.
    imported_status = fields.CharEnumField(ChargeStatus, max_length=16, null=True)
    # Percent; null: the tenant's default rate.
    tax_rate = fields.DecimalField(max_digits=7, decimal_places=4, null=True)

    class Meta:
        table = "charges"
        unique_together = (("client", "key"),)
        indexes = (("tenant_id", "status", "scheduled_on"),)
