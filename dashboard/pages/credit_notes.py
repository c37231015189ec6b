"""Credit notes: the tenant's credit notes, newest first, each with its preview and PDF."""

from __future__ import annotations

import streamlit as st

from dashboard.components.credit_note_list import render_credit_note_list
from dashboard.navigation import page_connection

connection = page_connection()

st.title("Credit notes")
st.caption(
    "Each credits an issued invoice in whole or in part, with its own number. Issue one with "
    "Credit note on the invoice's row."
)
render_credit_note_list(connection.api, key="credit_notes")
