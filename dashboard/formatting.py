"""How amounts, dates, instants and statuses read on the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from dashboard.models import InvoiceRunStatus, InvoiceStatus

# How st.dataframe shows Decimal money columns: grouped, always two decimals ("1,234.00").
MONEY_COLUMN_FORMAT = "accounting"

STATUS_COLOURS = {
    InvoiceStatus.DRAFT: "gray",
    InvoiceStatus.UNPAID: "orange",
    InvoiceStatus.PARTIAL: "yellow",
    InvoiceStatus.PAID: "green",
    InvoiceStatus.VOID: "red",
}

RUN_STATUS_COLOURS = {
    InvoiceRunStatus.QUEUED: "gray",
    InvoiceRunStatus.RUNNING: "blue",
    InvoiceRunStatus.AWAITING_REVIEW: "orange",
    InvoiceRunStatus.COMPLETED: "green",
    InvoiceRunStatus.COMPLETED_WITH_ERRORS: "yellow",
    InvoiceRunStatus.FAILED: "red",
    InvoiceRunStatus.DISCARDED: "gray",
}


def format_money(amount: Decimal, currency: str | None = None) -> str:
    """'1,234.50 USD', '5,000 JPY', '12.345 BHD': grouped, with the places the API gave (the
    currency's minor digits), never rounded here."""
    text = f"{amount:,f}"
    return f"{text} {currency}" if currency else text


def money_heading(name: str, currency: str) -> str:
    """A money column's heading with its currency: 'Amount (USD)'."""
    return f"{name} ({currency})"


def count_of(count: int, noun: str) -> str:
    """'1 draft', '2 drafts', '1,234 invoices': the count with its noun, singular for one."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"


def format_date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def format_instant(value: datetime | None) -> str:
    """An instant in UTC, to the minute."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def run_label(run_id: str, billing_date: date) -> str:
    return f"Run #{run_id} of {billing_date.isoformat()}"
