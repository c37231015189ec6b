"""The tenant's latest runs as a table; a click on a run opens its Generation Summary."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.formatting import MONEY_COLUMN_FORMAT, format_instant, money_heading
from dashboard.models import InvoiceRun, run_status_label

# The address's parameter naming the run whose summary is open (bookmarkable).
RUN_PARAMETER = "run"


def render_recent_runs(runs: list[InvoiceRun], currency: str, *, key: str = "recent_runs") -> None:
    """The runs, amounts in the tenant's `currency`."""
    amount = money_heading("Amount", currency)
    st.subheader("Recent runs")
    if not runs:
        st.caption("No runs yet.")
        return
    st.session_state[f"{key}.ids"] = [run.id for run in runs]
    chosen = st.dataframe(
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
        key=f"{key}.table",
        hide_index=True,
        column_config={amount: st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)},
        on_select=lambda: open_clicked_run(key),
        selection_mode="single-row",
    )
    st.caption("Select a run to open its summary.")
    rows = list(chosen.selection.rows)
    if rows and 0 <= rows[0] < len(runs) and st.query_params.get(RUN_PARAMETER) != runs[rows[0]].id:
        st.query_params[RUN_PARAMETER] = runs[rows[0]].id


def open_clicked_run(key: str) -> None:
    state = st.session_state.get(f"{key}.table")
    rows = list(state.selection.rows) if state is not None else []
    ids = st.session_state.get(f"{key}.ids", [])
    if rows and 0 <= rows[0] < len(ids):
        st.query_params[RUN_PARAMETER] = ids[rows[0]]
    elif RUN_PARAMETER in st.query_params:
        del st.query_params[RUN_PARAMETER]
