"""The credit notes list: a tenant's credit notes, newest first, optionally of one client or
invoice."""

from __future__ import annotations

from dataclasses import dataclass

from orm.models import CreditNote


@dataclass(frozen=True, slots=True)
class CreditNoteListFilter:
    client_id: int | None = None
    invoice_id: int | None = None


@dataclass(frozen=True, slots=True)
class CreditNotePage:
    credit_notes: list[CreditNote]
    has_next_page: bool
    total_count: int


async def credit_note_page(
    tenant_id: int, list_filter: CreditNoteListFilter, *, first: int, before_id: int | None
) -> CreditNotePage:
    """Up to `first` credit notes after the cursor (ids below `before_id`), newest first: a
    tenant's credit notes are numbered in id order, so the highest id is the newest."""
    matching = CreditNote.filter(tenant_id=tenant_id)
    if list_filter.client_id is not None:
        matching = matching.filter(client_id=list_filter.client_id)
    if list_filter.invoice_id is not None:
        matching = matching.filter(invoice_id=list_filter.invoice_id)
    total_count = await matching.count()
    page = matching if before_id is None else matching.filter(id__lt=before_id)
    rows = await page.order_by("-id").limit(first + 1)
    return CreditNotePage(
        credit_notes=rows[:first], has_next_page=len(rows) > first, total_count=total_count
    )
