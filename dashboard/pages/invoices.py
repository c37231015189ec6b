"""Invoices overview: KPI cards and charts, then the invoice list with its filters, order,
page size, detail and bulk actions; the list's view lives in the address (bookmarkable)."""

from __future__ import annotations

import streamlit as st

from dashboard.api import ApiError
from dashboard.cache import cached_kpis, cached_trends, forget_figures
from dashboard.components.aging import render_aging_report
from dashboard.components.bulk_actions import render_bulk_actions
from dashboard.components.csv_export import render_csv_download
from dashboard.components.invoice_actions import open_dialogs
from dashboard.components.invoice_detail import open_detail_if_asked
from dashboard.components.invoice_filters import render_filters, render_order_controls
from dashboard.components.invoice_table import render_invoice_table
from dashboard.components.kpis import render_kpi_cards, render_status_totals
from dashboard.components.overview_charts import render_invoiced_collected, render_status_mix
from dashboard.navigation import page_connection

LIST = "invoices"

connection = page_connection()
api, viewer = connection.api, connection.viewer


@st.fragment
def figures() -> None:
    """The cards and charts: refreshed alone (Refresh), never by the list below."""
    try:
        with st.spinner("Loading the figures…"):
            kpis, trends = cached_kpis(api), cached_trends(api)
    except ApiError as error:
        st.error(f"The figures could not be loaded: {error}")
        return
    render_kpi_cards(kpis, trends)
    invoiced_collected, status_mix = st.columns([3, 2])
    with invoiced_collected:
        render_invoiced_collected(trends)
    with status_mix:
        render_status_mix(kpis)
    try:
        render_aging_report(api)
    except ApiError as error:
        st.error(f"The aging report could not be loaded: {error}")
    with st.expander("Totals by status"):
        render_status_totals(kpis)


@st.fragment
def invoice_list() -> None:
    """Filters, order, the table, the bulk actions and the dialogs: a page turn or a filter
    reruns this part alone."""
    view = render_filters(api, key=LIST)
    render_order_controls(LIST)
    page, selected = render_invoice_table(api, key=LIST, view=view, currency=viewer.currency)
    if view.search.strip():
        noun = "invoice matches" if page.total_count == 1 else "invoices match"
        st.caption(f"{page.total_count:,} {noun} “{view.search.strip()}”.")
    render_bulk_actions(api, key=LIST, selected=selected)
    render_csv_download(
        api, view.criteria(), "invoices.csv", view.order(), label="Export CSV of this view"
    )
    open_dialogs(api, LIST)
    open_detail_if_asked(api, viewer, key=LIST)


with st.container(horizontal=True, vertical_alignment="bottom"):
    st.title("Invoices", width="stretch")
    st.button(
        "Refresh",
        icon=":material/refresh:",
        on_click=forget_figures,
        help="Reads the figures and the list afresh.",
    )
    st.page_link("pages/bulk_run.py", label="Run Generator", icon=":material/play_circle:")
figures()
st.subheader("Invoice list")
invoice_list()
