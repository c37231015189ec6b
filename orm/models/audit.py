"""The audit trail: who did what to which invoice or run."""

from tortoise import fields

from billing.audit.actions import AuditAction
from orm.models.base import Record


class AuditEvent(Record):
    tenant = fields.ForeignKeyField("models.Tenant", related_name="audit_events")
    # Null for what the system did by itself (a scheduled run).
    user = fields.ForeignKeyField(
        "models.User", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharEnumField(AuditAction, max_length=16)
    invoice_id = fields.BigIntField(null=True)
    run_id = fields.BigIntField(null=True)
    detail = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_events"
        indexes = (("tenant_id", "created_at"),)
