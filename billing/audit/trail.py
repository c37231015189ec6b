"""The audit trail: one record per action a person (or the schedule) took."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.audit.actions import AuditAction
from orm.models import AuditEvent


async def record_action(
    *,
    tenant_id: int,
    user_id: int | None,
    action: AuditAction,
    invoice_id: int | None = None,
    run_id: int | None = None,
    detail: dict[str, Any] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    """Write the record in the caller's transaction, so the action and its record stand together."""
    await AuditEvent.create(
        tenant_id=tenant_id,
        user_id=user_id,
        action=action,
        invoice_id=invoice_id,
        run_id=run_id,
        detail=detail or {},
        using_db=using_db,
    )
