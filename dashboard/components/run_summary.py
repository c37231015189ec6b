"""The outcome of a run: its Generation Summary, amount total and Errors."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.api import GraphQLClient, fetch_run_invoices
from dashboard.components.invoice_detail import DETAIL_PARAMETER
from dashboard.components.pager import CursorPager
from dashboard.formatting import (
    MONEY_COLUMN_FORMAT,
    RUN_STATUS_COLOURS,
    count_of,
    format_money,
    run_label,
)
from dashboard.models import Invoice, InvoiceRun, InvoiceRunStatus, invoices_on, run_status_label

SUMMARY_PAGE_SIZE = 50
DRAFT_STATUSES = (InvoiceRunStatus.AWAITING_REVIEW, InvoiceRunStatus.DISCARDED)


def render_run_summary(api: GraphQLClient, run: InvoiceRun, *, key: str, currency: str) -> None:
    """The invoices the run made (drafts while it awaits review), their total in the tenant's
    `currency`, the invoices it could not email, and the errors."""
    st.subheader("Generation Summary")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{run_label(run.id, run.billing_date)}**")
        st.badge(run_status_label(run.status), color=RUN_STATUS_COLOURS[run.status])
        if run.client is not None:
            st.badge(f"Client: {run.client.name}", color="violet")
        if run.review:
            st.badge("Review run", color="orange")
    pager = CursorPager(f"{key}.summary", (run.id, run.status.value), SUMMARY_PAGE_SIZE)
    page = fetch_run_invoices(api, run.id, first=SUMMARY_PAGE_SIZE, after=pager.after)
    made = "Drafts" if run.status in DRAFT_STATUSES else "Invoices"
    counts, amount, clients = st.columns(3)
    counts.metric(made, f"{run.invoices_issued:,}")
    amount.metric("Amount total", format_money(run.amount_issued, currency))
    clients.metric("Clients processed", f"{run.clients_processed:,} of {run.clients_total:,}")
    not_emailed = run.email_failures
    if not_emailed:
        st.warning(
            f"{count_of(not_emailed, 'invoice')} could not be emailed: see Errors below. "
            "Send them from the invoice list once the cause is mended."
        )
    if invoices := invoices_on(page):
        st.session_state[f"{key}.summary_ids"] = [invoice.id for invoice in invoices]
        st.dataframe(
            summary_frame(invoices),
            key=f"{key}.summary_table",
            hide_index=True,
            column_config={"Total": st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)},
            on_select=lambda: open_clicked_row(f"{key}.summary_table", f"{key}.summary_ids"),
            selection_mode="single-cell",
        )
        st.caption("Click an invoice to open its detail.")
        pager.controls(page)
    elif run.status is InvoiceRunStatus.DISCARDED:
        st.caption("Its drafts were discarded.")
    else:
        st.caption("The run made no invoices.")
    render_run_errors(run)


def open_clicked_row(table_key: str, ids_key: str) -> None:
    """The invoice of the clicked row opens in its detail (`dashboard.components.invoice_detail`,
    through the address)."""
    state = st.session_state.get(table_key)
    cells = list(state.selection.cells) if state is not None else []
    ids = st.session_state.get(ids_key, [])
    if cells:
        row = cells[0][0] if isinstance(cells[0], (list, tuple)) else cells[0]["row"]
        if 0 <= row < len(ids):
            st.query_params[DETAIL_PARAMETER] = ids[row]


def summary_frame(invoices: list[Invoice]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Number": [invoice.display_number for invoice in invoices],
            "Client": [invoice.client.name for invoice in invoices],
            "Date": [invoice.issued_on for invoice in invoices],
            "Total": [invoice.total for invoice in invoices],
            "Currency": [invoice.currency for invoice in invoices],
            "Status": [invoice.status.value for invoice in invoices],
        }
    )


def render_run_errors(run: InvoiceRun) -> None:
    """Preflight and runtime errors the run recorded."""
    st.subheader("Errors")
    if not run.errors:
        st.caption("No errors.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Stage": [error.stage.value.capitalize() for error in run.errors],
                "Client": [error.client.name if error.client else "—" for error in run.errors],
                "Message": [error.message for error in run.errors],
            }
        ),
        hide_index=True,
    )
