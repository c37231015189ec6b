"""CSV export of an invoice search, built page by page from the server when asked for."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.api import GraphQLClient, iter_invoices
from dashboard.formatting import format_date

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


def invoices_csv(api: GraphQLClient, criteria: Mapping[str, Any]) -> str:
    """Every invoice matching `criteria` (an InvoiceFilter) as CSV, amounts exactly as the API
    gives them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for invoice in iter_invoices(api, criteria=criteria):
        writer.writerow(
            (
                invoice.display_number,
                invoice.client.name,
                format_date(invoice.issued_on),
                format_date(invoice.due_on),
                invoice.currency,
                f"{invoice.total:.2f}",
                f"{invoice.balance:.2f}",
                invoice.status.value,
                invoice.emailed_at.isoformat() if invoice.emailed_at else "",
            )
        )
    return buffer.getvalue()


def render_csv_download(api: GraphQLClient, criteria: Mapping[str, Any], file_name: str) -> None:
    """A download button; the file is built only when it is clicked."""
    st.download_button(
        "Export CSV",
        data=lambda: invoices_csv(api, criteria),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="Every invoice of the current search, as a CSV file.",
    )
