"""CSV export of an invoice search, built page by page from the server when asked for."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from dashboard.api import GraphQLClient, iter_invoices
from dashboard.formatting import format_date
from dashboard.models import Invoice, InvoiceSort

CSV_COLUMNS = (
    "Invoice #",
    "Client",
    "Issued",
    "Due",
    "Currency",
    "Total",
    "Balance",
    "Status",
    "Emailed at",
)


def invoices_csv(
    api: GraphQLClient, criteria: Mapping[str, Any], sort: InvoiceSort | None = None
) -> str:
    """Every invoice matching `criteria` (an InvoiceFilter) as CSV in `sort` order, amounts
    exactly as the API gives them."""
    return csv_of(iter_invoices(api, criteria=criteria, sort=sort))


def csv_of(invoices: Iterable[Invoice]) -> str:
    """The invoices as CSV, one row each in the order given, amounts exactly as the API gives
    them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for invoice in invoices:
        writer.writerow(
            (
                invoice.display_number,
                invoice.client.name,
                format_date(invoice.issued_on),
                format_date(invoice.due_on),
                invoice.currency,
                # The places the API gave: the currency's own (2 for USD, 0 for JPY).
                f"{invoice.total:f}",
                f"{invoice.balance:f}",
                invoice.status.value,
                invoice.emailed_at.isoformat() if invoice.emailed_at else "",
            )
        )
    return buffer.getvalue()


def render_csv_download(
    api: GraphQLClient,
    criteria: Mapping[str, Any],
    file_name: str,
    sort: InvoiceSort | None = None,
    label: str = "Export CSV",
) -> None:
    """A download button; the file is built only when it is clicked."""
    st.download_button(
        label,
        data=lambda: invoices_csv(api, criteria, sort),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="Every invoice of the current search, as a CSV file.",
    )
