"""Invoices overview: live search, KPI cards, totals by status, the invoice list and its actions."""

from __future__ import annotations

import streamlit as st

from dashboard.api import fetch_kpis, invoice_filter
from dashboard.components.csv_export import render_csv_download
from dashboard.components.invoice_list import render_invoice_list
from dashboard.components.kpis import render_kpi_cards, render_status_totals
from dashboard.navigation import page_connection

connection = page_connection()
api, viewer = connection.api, connection.viewer

title, generator = st.columns([3, 1], vertical_alignment="bottom")
title.title("Invoices")
generator.page_link("pages/bulk_run.py", label="Run Generator", icon=":material/play_circle:")

search = st.text_input(
    "Search invoices or clients",
    key="invoices.search",
    live=True,
    placeholder="Invoice number or client name",
).strip()

kpis = fetch_kpis(api)
render_kpi_cards(kpis)
with st.expander("Totals by status", expanded=True):
    render_status_totals(kpis)

st.subheader("Invoices")
criteria = invoice_filter(search=search)
page = render_invoice_list(api, viewer, key="invoices", criteria=criteria)
if search:
    noun = "invoice matches" if page.total_count == 1 else "invoices match"
    st.caption(f"{page.total_count} {noun} “{search}”.")
render_csv_download(api, criteria, file_name="invoices.csv")
