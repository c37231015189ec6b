"""The tenant's latest runs as a table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import MONEY_COLUMN_FORMAT, format_instant, money_heading
from dashboard.models import InvoiceRun, run_status_label


def render_recent_runs(runs: list[InvoiceRun], currency: str) -> None:
    """The runs, amounts in the tenant's `currency`."""
    amount = money_heading("Amount", currency)
    st.subheader("Recent runs")
    if not runs:
        st.caption("No runs yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Run": [f"#{run.id}" for run in runs],
                "Billing date": [run.billing_date for run in runs],
                "Client": [run.client.name if run.client else "All clients" for run in runs],
                "Status": [run_status_label(run.status) for run in runs],
                "Trigger": [run.trigger.value.capitalize() for run in runs],
                "Review": [run.review for run in runs],
                "Clients": [f"{run.clients_processed} of {run.clients_total}" for run in runs],
                "Invoices": [run.invoices_issued for run in runs],
                amount: [run.amount_issued for run in runs],
                "Started": [format_instant(run.started_at or run.created_at) for run in runs],
            }
        ),
        hide_index=True,
        column_config={amount: st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)},
    )
