"""Settings → Invoices: what the runs, the documents and collections follow; changed with the
billing.settings permission."""

from __future__ import annotations

import streamlit as st

from dashboard.api import fetch_invoice_settings
from dashboard.components.invoice_settings import render_settings_form, render_settings_table
from dashboard.models import SETTINGS_PERMISSION, can_change_settings
from dashboard.navigation import page_connection

connection = page_connection()
api, viewer = connection.api, connection.viewer

st.title("Settings → Invoices")
settings = fetch_invoice_settings(api)
render_settings_table(settings)
st.divider()
if can_change_settings(viewer):
    st.header("Change settings")
    render_settings_form(api, settings)
else:
    st.info(
        f"Read-only: changing these settings needs the {SETTINGS_PERMISSION} permission. "
        "Ask an administrator of your billing to grant it or to make the change."
    )
