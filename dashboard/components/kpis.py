"""The KPI cards of the overview, with the change since last month, and the totals-by-status
table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import MONEY_COLUMN_FORMAT, format_money
from dashboard.models import InvoiceKpis, InvoiceTrends

# Room for "12,345,678.90 USD" and its change on one line each.
KPI_CARD_WIDTH = 205


def render_kpi_cards(kpis: InvoiceKpis, trends: InvoiceTrends | None = None) -> None:
    """Total Invoices, Outstanding Balance and Paid Invoices; with the monthly figures, the
    invoices issued since last month and this month's invoiced and collected amounts against
    last month's."""
    # Cards of one width in a row that wraps: whole at 1024 px with the sidebar open, on one row
    # from about 1440 px.
    row = st.container(horizontal=True, gap="small")
    this_month = trends.months[-1] if trends else None
    row.metric(
        "Total Invoices",
        f"{kpis.total_invoices:,}",
        delta=f"{this_month.invoice_count:+,} this month" if this_month else None,
        delta_color="off",
        border=True,
        width=KPI_CARD_WIDTH,
    )
    row.metric(
        "Outstanding Balance",
        format_money(kpis.outstanding_balance, kpis.currency),
        border=True,
        width=KPI_CARD_WIDTH,
    )
    row.metric("Paid Invoices", f"{kpis.paid_invoices:,}", border=True, width=KPI_CARD_WIDTH)
    if trends is None or this_month is None:
        return
    row.metric(
        "Invoiced this month",
        format_money(this_month.invoiced, trends.currency),
        delta=f"{format_money(trends.invoiced_change, trends.currency)} vs last month",
        border=True,
        width=KPI_CARD_WIDTH,
        help="Invoices issued this month that stand (not drafts, not voided).",
    )
    row.metric(
        "Collected this month",
        format_money(this_month.collected, trends.currency),
        delta=f"{format_money(trends.collected_change, trends.currency)} vs last month",
        border=True,
        width=KPI_CARD_WIDTH,
        help="Payments received this month.",
    )


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
