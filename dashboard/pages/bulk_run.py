"""Bulk invoice run: parameters, date previews, the dry run, Run Bulk Now, progress, summary,
review, history (a run's summary opens from the history; an invoice's detail from a summary)."""

from __future__ import annotations

import streamlit as st

from dashboard.api import NotFound, fetch_recent_runs, fetch_run
from dashboard.components.client_picker import render_client_picker
from dashboard.components.invoice_actions import open_dialogs
from dashboard.components.invoice_detail import open_detail_if_asked
from dashboard.components.recent_runs import RUN_PARAMETER, render_recent_runs
from dashboard.components.run_summary import render_run_summary
from dashboard.components.run_workspace import render_run_workspace
from dashboard.navigation import page_connection

KEY = "bulk_run"

connection = page_connection()
api, viewer = connection.api, connection.viewer

st.title("Bulk invoice run")
st.caption(
    "Bills every active, billable service due on or before the billing date and every pending "
    "one-time charge scheduled up to it, for active and overdue clients that are not blocked."
)
client = render_client_picker(api, key=KEY, label="Client (optional): limits the run to one client")
render_run_workspace(api, viewer, key=KEY, client=client)
st.divider()
render_recent_runs(fetch_recent_runs(api, first=10), viewer.currency, key=f"{KEY}.history")
if run_id := st.query_params.get(RUN_PARAMETER):
    try:
        chosen = fetch_run(api, run_id)
    except NotFound:
        st.warning(f"There is no run {run_id}.")
    else:
        render_run_summary(api, chosen, key=f"{KEY}.history", currency=viewer.currency)
open_dialogs(api, KEY)
open_detail_if_asked(api, viewer, key=KEY)
