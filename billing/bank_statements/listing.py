"""The imported statements of a tenant, newest first, a page at a time."""

from __future__ import annotations

from orm.models import BankStatement


async def statements_newest_first(
    tenant_id: int, *, first: int, before_id: int | None = None
) -> tuple[list[BankStatement], bool]:
    """A page of `first` statements imported before `before_id` (or the newest), and whether
    more follow."""
    query = BankStatement.filter(tenant_id=tenant_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    rows = await query.order_by("-id").limit(first + 1)
    return rows[:first], len(rows) > first
