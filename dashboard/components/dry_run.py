"""The dry run beside Run Bulk Now: how many clients, invoices and how much a run for the chosen
date (and client) would bill, from one API query that applies the run's own rules."""

from __future__ import annotations

import streamlit as st

from dashboard.api import ApiError, GraphQLClient, fetch_run_preview
from dashboard.formatting import count_of, format_date, format_money
from dashboard.models import Client, RunPlan, RunPreview


def render_dry_run(api: GraphQLClient, *, key: str, plan: RunPlan, client: Client | None) -> None:
    """A Dry run button; its answer stays shown for this date and client."""
    asked = (plan.run_date, client.id if client else None)
    kept: tuple[tuple, RunPreview] | None = st.session_state.get(_kept_key(key))
    with st.container(horizontal=True, vertical_alignment="center"):
        clicked = st.button(
            "Dry run",
            key=f"{key}.dry_run",
            icon=":material/calculate:",
            help="Counts what this run would bill now, without billing anything.",
        )
        if not clicked and (kept is None or kept[0] != asked):
            st.caption("See what the run would bill before starting it.")
    if clicked:
        try:
            with st.spinner("Counting what the run would bill…"):
                preview = fetch_run_preview(
                    api,
                    billing_date=None if plan.locked else plan.run_date,
                    client_id=asked[1],
                )
        except ApiError as error:
            st.error(f"The dry run failed: {error}")
            return
        kept = (asked, preview)
        st.session_state[_kept_key(key)] = kept
    if kept is not None and kept[0] == asked:
        render_preview(kept[1])


def render_preview(preview: RunPreview) -> None:
    clients, amount, lines = st.columns(3)
    clients.metric(
        "Clients billed",
        f"{preview.clients_billed:,} of {preview.eligible_clients:,}",
        help="Clients with something due, of the clients the run takes up.",
        border=True,
    )
    amount.metric(
        "Amount",
        format_money(preview.total, preview.currency),
        help=f"{format_money(preview.subtotal, preview.currency)} net + "
        f"{format_money(preview.tax_total, preview.currency)} tax.",
        border=True,
    )
    lines.metric("Invoice lines", f"{preview.lines:,}", border=True)
    st.caption(
        f"Dry run for {format_date(preview.run_date)}: "
        f"{count_of(preview.clients_billed, 'invoice')} would be made. Nothing was billed."
    )
    if preview.clients_not_billed:
        st.warning(
            f"{count_of(preview.clients_not_billed, 'client')} with something due would not be "
            "billed: the run would report why in its Errors."
        )


def _kept_key(key: str) -> str:
    return f"{key}.dry_run.answer"
