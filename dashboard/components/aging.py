"""The aging report: open balances by days past due, as a bar chart and a table, as of the
tenant's today. `render_aging_report` is placed on a page as a whole."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.api import GraphQLClient, fetch_aging_report
from dashboard.formatting import MONEY_COLUMN_FORMAT, format_money, money_heading
from dashboard.models import AgingReport


def aging_frame(report: AgingReport) -> pd.DataFrame:
    """One row per bucket, in the API's order (current first), zeros included."""
    return pd.DataFrame(
        {
            "Days past due": [bucket.label for bucket in report.buckets],
            "Invoices": [bucket.count for bucket in report.buckets],
            money_heading("Balance", report.currency): [
                bucket.balance for bucket in report.buckets
            ],
        }
    )


def aging_chart(report: AgingReport) -> alt.Chart:
    """The balance of each bucket as a bar, the buckets in the report's order."""
    frame = pd.DataFrame(
        {
            "bucket": [bucket.label for bucket in report.buckets],
            # Altair plots floats; the table beside it shows the exact amounts.
            "balance": [float(bucket.balance) for bucket in report.buckets],
            "invoices": [bucket.count for bucket in report.buckets],
        }
    )
    order = [bucket.label for bucket in report.buckets]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("bucket:N", sort=order, title="Days past due"),
            y=alt.Y("balance:Q", title=money_heading("Balance", report.currency)),
            tooltip=["bucket", "invoices", "balance"],
        )
    )


def render_aging_report(api: GraphQLClient) -> None:
    """The aging report's heading, chart and table."""
    report = fetch_aging_report(api)
    st.subheader("Aging")
    st.caption(
        f"Open balances by days past due as of {report.as_of.isoformat()}: "
        f"{format_money(report.total, report.currency)} in all."
    )
    st.altair_chart(aging_chart(report))
    frame = aging_frame(report)
    money = st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)
    st.dataframe(frame, hide_index=True, key="aging-table", column_config={frame.columns[2]: money})
