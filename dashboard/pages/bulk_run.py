"""Bulk invoice run: parameters, date previews, Run Bulk Now, progress, summary, review, history."""

from __future__ import annotations

import streamlit as st

from dashboard.api import fetch_recent_runs
from dashboard.components.client_picker import render_client_picker
from dashboard.components.recent_runs import render_recent_runs
from dashboard.components.run_workspace import render_run_workspace
from dashboard.navigation import page_connection

connection = page_connection()
api, viewer = connection.api, connection.viewer

st.title("Bulk invoice run")
st.caption(
    "Bills every active, billable service due on or before the billing date and every pending "
    "one-time charge scheduled up to it, for active and overdue clients that are not blocked."
)
client = render_client_picker(
    api, key="bulk_run", label="Client (optional): limits the run to one client"
)
render_run_workspace(api, viewer, key="bulk_run", client=client)
st.divider()
render_recent_runs(fetch_recent_runs(api, first=10), viewer.currency)
