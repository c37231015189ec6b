"""The overview's charts: invoiced against collected for each of the last twelve months, and the
status mix; each with its empty and error state. Figures come from the API (computed in the
database), kept for a short while per token (`dashboard.cache`)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.formatting import STATUS_COLOURS, format_money
from dashboard.layout import CHART_HEIGHT
from dashboard.models import InvoiceKpis, InvoiceTrends

SERIES_COLOURS = {"Invoiced": "#4c78a8", "Collected": "#54a24b"}
# st.badge's colour names as chart colours.
BADGE_HEX = {
    "gray": "#9aa0a6",
    "orange": "#f28e2b",
    "yellow": "#edc948",
    "green": "#59a14f",
    "red": "#e15759",
}


def months_frame(trends: InvoiceTrends) -> pd.DataFrame:
    """One row per month and series; the amount as a number to draw, and as text to read."""
    rows = []
    for month in trends.months:
        for series, amount in (("Invoiced", month.invoiced), ("Collected", month.collected)):
            rows.append(
                {
                    "Month": month.month.strftime("%Y-%m"),
                    "Series": series,
                    # Drawn only: the tooltip shows the exact amount.
                    "Amount": float(amount),
                    "Exact": format_money(amount, trends.currency),
                }
            )
    return pd.DataFrame(rows)


def invoiced_collected_chart(trends: InvoiceTrends) -> alt.Chart:
    frame = months_frame(trends)
    return (
        alt.Chart(frame, height=CHART_HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("Month:O", title=None, axis=alt.Axis(labelAngle=-45)),
            xOffset=alt.XOffset("Series:N", sort=list(SERIES_COLOURS)),
            y=alt.Y("Amount:Q", title=trends.currency, axis=alt.Axis(format="~s")),
            color=alt.Color(
                "Series:N",
                scale=alt.Scale(domain=list(SERIES_COLOURS), range=list(SERIES_COLOURS.values())),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["Month:O", "Series:N", alt.Tooltip("Exact:N", title="Amount")],
        )
    )


def status_frame(kpis: InvoiceKpis) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Status": [row.status.value.capitalize() for row in kpis.by_status],
            "Invoices": [row.count for row in kpis.by_status],
            "Total": [format_money(row.total, kpis.currency) for row in kpis.by_status],
            "Colour": [BADGE_HEX[STATUS_COLOURS[row.status]] for row in kpis.by_status],
        }
    )


def status_mix_chart(kpis: InvoiceKpis) -> alt.Chart:
    frame = status_frame(kpis)
    return (
        alt.Chart(frame, height=CHART_HEIGHT)
        .mark_arc(innerRadius=55)
        .encode(
            theta=alt.Theta("Invoices:Q"),
            color=alt.Color(
                "Status:N",
                scale=alt.Scale(domain=list(frame["Status"]), range=list(frame["Colour"])),
                legend=alt.Legend(orient="right", title=None),
            ),
            tooltip=["Status:N", alt.Tooltip("Invoices:Q", format=","), "Total:N"],
        )
    )


def render_invoiced_collected(trends: InvoiceTrends) -> None:
    st.markdown("**Invoiced and collected, last 12 months**")
    if not any(month.invoice_count or month.payment_count for month in trends.months):
        st.info("Nothing invoiced or collected in the last 12 months.", icon=":material/bar_chart:")
        return
    st.altair_chart(invoiced_collected_chart(trends), key="overview.invoiced_collected")


def render_status_mix(kpis: InvoiceKpis) -> None:
    st.markdown("**Status mix**")
    if not any(row.count for row in kpis.by_status):
        st.info("No invoices yet.", icon=":material/donut_large:")
        return
    st.altair_chart(status_mix_chart(kpis), key="overview.status_mix")
