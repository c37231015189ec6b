"""The KPI cards of the overview and the totals-by-status table under them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import MONEY_COLUMN_FORMAT, format_money
from dashboard.models import InvoiceKpis


def render_kpi_cards(kpis: InvoiceKpis) -> None:
    """Total Invoices, Outstanding Balance and Paid Invoices."""
    total, outstanding, paid = st.columns(3)
    total.metric("Total Invoices", f"{kpis.total_invoices:,}", border=True)
    outstanding.metric(
        "Outstanding Balance", format_money(kpis.outstanding_balance, kpis.currency), border=True
    )
    paid.metric("Paid Invoices", f"{kpis.paid_invoices:,}", border=True)


def render_status_totals(kpis: InvoiceKpis) -> None:
    """Count, total and balance per invoice status, every status listed."""
    frame = pd.DataFrame(
        {
            "Status": [row.status.value for row in kpis.by_status],
            "Count": [row.count for row in kpis.by_status],
            f"Total ({kpis.currency})": [row.total for row in kpis.by_status],
            f"Balance ({kpis.currency})": [row.balance for row in kpis.by_status],
        }
    )
    money = st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)
    st.dataframe(frame, hide_index=True, column_config={name: money for name in frame.columns[2:]})
