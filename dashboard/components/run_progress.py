"""A run's progress bar, following the run while the workers are on it."""

from __future__ import annotations

import time

import streamlit as st

from dashboard.api import GraphQLClient, fetch_run
from dashboard.formatting import count_of
from dashboard.models import (
    InvoiceRun,
    InvoiceRunStatus,
    is_working,
    run_progress,
    run_status_label,
)

POLL_SECONDS = 0.5
# After this long the page stops following; a rerun picks the run up again.
PATIENCE_SECONDS = 15 * 60


def progress_text(run: InvoiceRun) -> str:
    clients = f"{run.clients_processed:,} of {count_of(run.clients_total, 'client')}"
    made = count_of(run.invoices_issued, "draft" if run.review else "invoice")
    if run.status is InvoiceRunStatus.QUEUED:
        return "Queued: waiting for a worker to start the run…"
    if run.status is InvoiceRunStatus.RUNNING:
        return f"Running: {clients} processed, {made} so far…"
    return f"{run_status_label(run.status)}: {clients} processed, {made}."


def follow_run(api: GraphQLClient, run: InvoiceRun) -> InvoiceRun:
    """Shows the progress bar and, while the run works, refreshes it about twice a second.
    Returns the run as last seen."""
    bar = st.progress(run_progress(run), text=progress_text(run))
    deadline = time.monotonic() + PATIENCE_SECONDS
    while is_working(run) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        run = fetch_run(api, run.id)
        bar.progress(run_progress(run), text=progress_text(run))
    if is_working(run):
        st.info("The run is still working. Reload the page to follow it again.")
    return run
