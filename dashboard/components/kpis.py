"""The KPI cards of the overview, with the change since last month, and the totals-by-status
table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import MONEY_COLUMN_FORMAT, format_money
from dashboard.models import InvoiceKpis, InvoiceTrends


def render_kpi_cards(kpis: InvoiceKpis, trends: InvoiceTrends | None = None) -> None:
    """Total Invoices, Outstanding Balance and Paid Invoices; with the monthly figures, the
    invoices issued since last month and this month's invoiced and collected amounts against
    last month's."""
    if trends is None:
        total, outstanding, paid = st.columns(3)
    else:
        total, outstanding, paid, invoiced, collected = st.columns(5)
    this_month = trends.months[-1] if trends else None
    total.metric(
        "Total Invoices",
        f"{kpis.total_invoices:,}",
        delta=f"{this_month.invoice_count:+,} this month" if this_month else None,
        delta_color="off",
        border=True,
    )
    outstanding.metric(
        "Outstanding Balance", format_money(kpis.outstanding_balance, kpis.currency), border=True
    )
    paid.metric("Paid Invoices", f"{kpis.paid_invoices:,}", border=True)
    if trends is None or this_month is None:
        return
    invoiced.metric(
        "Invoiced this month",
        format_money(this_month.invoiced, trends.currency),
        delta=f"{format_money(trends.invoiced_change, trends.currency)} vs last month",
        border=True,
        help="Invoices issued this month that stand (not drafts, not voided).",
    )
    collected.metric(
        "Collected this month",
        format_money(this_month.collected, trends.currency),
        delta=f"{format_money(trends.collected_change, trends.currency)} vs last month",
        border=True,
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
