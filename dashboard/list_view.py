"""The invoice list's view: its filters, order and page size, read from and written to the
address's query string, so a view can be bookmarked and shared.

Parameters: q (search), status (comma-separated), issued_from, issued_to, due_from, due_to
(ISO dates), overdue=1, client and run (ids), min and max (totals), sort (number, client,
issued, due, total, balance), dir (asc, desc), size (25, 50, 100, 200). A value that cannot be
read is left out of the view and named in `problems`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from dashboard.models import InvoiceSort, InvoiceSortField, InvoiceStatus, SortDirection

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 25
# The server's default order: newest issue date first.
DEFAULT_SORT = InvoiceSortField.ISSUED
DEFAULT_DIRECTION = SortDirection.DESC
SORT_LABELS = {
    InvoiceSortField.NUMBER: "Invoice #",
    InvoiceSortField.CLIENT: "Client",
    InvoiceSortField.ISSUED: "Issued",
    InvoiceSortField.DUE: "Due",
    InvoiceSortField.TOTAL: "Total",
    InvoiceSortField.BALANCE: "Balance",
}
DATE_PARAMETERS = ("issued_from", "issued_to", "due_from", "due_to")


@dataclass(frozen=True)
class ListView:
    search: str = ""
    statuses: tuple[InvoiceStatus, ...] = ()
    issued_from: date | None = None
    issued_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue_only: bool = False
    client_id: str | None = None
    run_id: str | None = None
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    sort: InvoiceSortField = DEFAULT_SORT
    direction: SortDirection = DEFAULT_DIRECTION
    page_size: int = DEFAULT_PAGE_SIZE
    problems: tuple[str, ...] = field(default=(), compare=False)

    def criteria(self) -> dict[str, Any]:
        """The InvoiceFilter input, as the API names its fields, with only the parts given."""
        parts: dict[str, Any] = {
            "search": self.search.strip() or None,
            "statuses": [status.value for status in self.statuses] or None,
            "issuedFrom": self.issued_from,
            "issuedTo": self.issued_to,
            "dueFrom": self.due_from,
            "dueTo": self.due_to,
            "overdueOnly": True if self.overdue_only else None,
            "clientId": self.client_id,
            "runId": self.run_id,
            "totalMin": self.total_min,
            "totalMax": self.total_max,
        }
        return {name: value for name, value in parts.items() if value is not None}

    def order(self) -> InvoiceSort | None:
        """The InvoiceSort input; None for the server's own order."""
        if (self.sort, self.direction) == (DEFAULT_SORT, DEFAULT_DIRECTION):
            return None
        return InvoiceSort(field=self.sort, direction=self.direction)


def view_from_query(params: Mapping[str, str]) -> ListView:
    """The view the query string describes; unreadable values are skipped and named."""
    problems: list[str] = []
    values: dict[str, Any] = {"search": params.get("q", "")}
    if raw := params.get("status"):
        known = {status.value.lower(): status for status in InvoiceStatus}
        words = [word.strip().lower() for word in raw.split(",") if word.strip()]
        values["statuses"] = tuple(known[word] for word in words if word in known)
        if unknown := [word for word in words if word not in known]:
            problems.append(f"status: {', '.join(unknown)} is not an invoice status")
    for name in DATE_PARAMETERS:
        if raw := params.get(name):
            try:
                values[name] = date.fromisoformat(raw)
            except ValueError:
                problems.append(f"{name}: {raw!r} is not a date (YYYY-MM-DD)")
    values["overdue_only"] = params.get("overdue") in ("1", "true")
    for name, key in (("client", "client_id"), ("run", "run_id")):
        if raw := params.get(name):
            if raw.isdigit():
                values[key] = raw
            else:
                problems.append(f"{name}: {raw!r} is not an id")
    for name, key in (("min", "total_min"), ("max", "total_max")):
        if raw := params.get(name):
            amount = parse_amount(raw)
            if amount is None:
                problems.append(f"{name}: {raw!r} is not an amount")
            else:
                values[key] = amount
    if raw := params.get("sort"):
        try:
            values["sort"] = InvoiceSortField(raw.upper())
        except ValueError:
            problems.append(f"sort: {raw!r} is not a column to sort by")
    if raw := params.get("dir"):
        try:
            values["direction"] = SortDirection(raw.upper())
        except ValueError:
            problems.append(f"dir: {raw!r} is neither asc nor desc")
    if raw := params.get("size"):
        if raw.isdigit() and int(raw) in PAGE_SIZES:
            values["page_size"] = int(raw)
        else:
            problems.append(f"size: {raw!r} is not one of {', '.join(map(str, PAGE_SIZES))}")
    return ListView(**values, problems=tuple(problems))


def view_to_query(view: ListView) -> dict[str, str]:
    """The query string of the view: only what differs from the default view."""
    query: dict[str, str] = {}
    if view.search.strip():
        query["q"] = view.search.strip()
    if view.statuses:
        query["status"] = ",".join(status.value.lower() for status in view.statuses)
    for name in DATE_PARAMETERS:
        if (value := getattr(view, name)) is not None:
            query[name] = value.isoformat()
    if view.overdue_only:
        query["overdue"] = "1"
    if view.client_id:
        query["client"] = view.client_id
    if view.run_id:
        query["run"] = view.run_id
    if view.total_min is not None:
        query["min"] = f"{view.total_min:f}"
    if view.total_max is not None:
        query["max"] = f"{view.total_max:f}"
    if view.sort != DEFAULT_SORT:
        query["sort"] = view.sort.value.lower()
    if view.direction != DEFAULT_DIRECTION:
        query["dir"] = view.direction.value.lower()
    if view.page_size != DEFAULT_PAGE_SIZE:
        query["size"] = str(view.page_size)
    return query


def parse_amount(text: str) -> Decimal | None:
    """'1,234.50' → Decimal('1234.50'); None for text that is not a finite amount."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
