"""Run controls, then the run at hand: its progress, summary, errors and review actions.

The run at hand is the tenant's working or awaiting-review run, else the run last started here.
"""

from __future__ import annotations

import streamlit as st

from dashboard.api import GraphQLClient, NotFound, fetch_recent_runs, fetch_run
from dashboard.components.flash import show_flashes
from dashboard.components.run_controls import render_run_controls
from dashboard.components.run_progress import follow_run
from dashboard.components.run_review import render_review_actions
from dashboard.components.run_summary import render_run_summary
from dashboard.models import Client, InvoiceRun, InvoiceRunStatus, Viewer, is_active, is_working


def render_run_workspace(
    api: GraphQLClient,
    viewer: Viewer,
    *,
    key: str,
    client: Client | None,
    run_button_label: str = "Run Bulk Now",
    client_link: bool = True,
) -> None:
    show_flashes(key)
    active = active_run(api)
    render_run_controls(
        api,
        viewer,
        key=key,
        client=client,
        active_run=active,
        on_started=lambda started: remember_run(key, started),
        run_button_label=run_button_label,
        client_link=client_link,
    )
    run = active or remembered_run(api, key)
    if run is None:
        return
    st.session_state[_run_key(key)] = run.id
    st.divider()
    was_working = is_working(run)
    run = follow_run(api, run)
    if was_working and not is_working(run):
        # The controls above were drawn while the run worked.
        st.rerun()
    render_run_summary(api, run, key=key, currency=viewer.currency)
    if run.status is InvoiceRunStatus.AWAITING_REVIEW:
        render_review_actions(api, viewer, run, key=key, currency=viewer.currency)


def active_run(api: GraphQLClient) -> InvoiceRun | None:
    """The tenant's run that is queued, running or awaiting review (there is at most one)."""
    for run in fetch_recent_runs(api, first=20):
        if is_active(run):
            return run
    return None


def remember_run(key: str, run: InvoiceRun) -> None:
    """The run started here becomes the run at hand (the controls are drawn again with it)."""
    st.session_state[_run_key(key)] = run.id


def remembered_run(api: GraphQLClient, key: str) -> InvoiceRun | None:
    run_id = st.session_state.get(_run_key(key))
    if run_id is None:
        return None
    try:
        return fetch_run(api, run_id)
    except NotFound:
        del st.session_state[_run_key(key)]
        return None


def _run_key(key: str) -> str:
    return f"{key}.run_id"
