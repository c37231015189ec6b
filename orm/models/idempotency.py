"""Idempotency keys: the first result of a money-moving or emailing request, kept per tenant so
that a repeat of the request with the same key returns it instead of acting again."""

from tortoise import fields

from orm.models.base import Record


class IdempotencyKey(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="idempotency_keys")
    key = fields.CharField(max_length=200)
    # The mutation the key was first used for, e.g. "send_invoice".
    operation = fields.CharField(max_length=64)
    # SHA-256 of the operation and its input: a repeat with another input is a conflict.
    fingerprint = fields.CharField(max_length=64)
    # What to return on a repeat (ids); null while the first request is still being processed.
    result = fields.JSONField(null=True)
    created_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "idempotency_keys"
        unique_together = (("tenant", "key"),)
        indexes = (("tenant_id", "created_at"),)
