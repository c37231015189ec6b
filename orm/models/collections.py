"""Collections: the daily pass of each tenant, its chunks, and the reminders it emails.

Every action of collections is made exactly once by the database: one pass per tenant and local
day (unique (tenant, day)), each chunk done once under its row lock, one reminder per invoice and
level (unique (invoice, level)), one late fee per invoice (a charge keyed `late-fee-<invoice id>`,
unique per client like every charge key).
"""

from tortoise import fields

from billing.collections.passes import PassStatus, ReminderTrigger
from billing.runs.lifecycle import ChunkStatus
from orm.models.base import Record


class CollectionsPass(Record):
    """A tenant's collections pass of one local day."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="collections_passes")
    day = fields.DateField()
    status = fields.CharEnumField(PassStatus, max_length=16, default=PassStatus.QUEUED)
    chunks_total = fields.IntField(default=0)
    chunks_done = fields.IntField(default=0)
    # When the pass was last handed to the workers: a pass not done long after is handed again
    # (a message lost with a broker).
    queued_at = fields.DatetimeField(auto_now_add=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "collections_passes"
        unique_together = (("tenant", "day"),)


class CollectionsChunk(Record):
    """A slice of a pass's clients (by id range, the ranges covering every id), done once."""

    collections_pass = fields.ForeignKeyField(
        "models.CollectionsPass", related_name="chunks", on_delete=fields.CASCADE
    )
    seq = fields.IntField()
    first_client_id = fields.BigIntField()
    last_client_id = fields.BigIntField()
    status = fields.CharEnumField(ChunkStatus, max_length=16, default=ChunkStatus.PENDING)
    processed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "collections_chunks"
        unique_together = (("collections_pass", "seq"),)


class InvoiceReminder(Record):
    """A reminder level of an invoice: claimed in the transaction that decided it, `sent_at` set
    once the mailbox accepted the email. A claimed reminder not sent yet is sent by the next
    attempt; the unique (invoice, level) makes a level go out at most once."""

    tenant = fields.ForeignKeyField("models.Tenant", related_name="invoice_reminders")
    invoice = fields.ForeignKeyField(
        "models.Invoice", related_name="reminders", on_delete=fields.CASCADE
    )
    level = fields.SmallIntField()
    trigger = fields.CharEnumField(ReminderTrigger, max_length=16)
    claimed_at = fields.DatetimeField(auto_now_add=True)
    # A sender holds the reminder until then: another sender waits for it to pass.
    sending_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    # Why the mailbox refused it for good (no address, a refused one): not tried again.
    failure = fields.TextField(null=True)

    class Meta:
        table = "invoice_reminders"
        unique_together = (("invoice", "level"),)
        indexes = (("tenant_id", "sent_at"),)
