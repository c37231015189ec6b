"""Payments: the tenant's payments, newest received first, with a search of the reference or
the client's name, a client filter, and Reverse and Refund on each row."""

from __future__ import annotations

import streamlit as st

from dashboard.components.client_picker import render_client_picker
from dashboard.components.payment_list import render_payment_list
from dashboard.navigation import page_connection

connection = page_connection()

st.title("Payments")
search_column, client_column = st.columns([1, 1])
with search_column:
    search = st.text_input(
        "Search",
        key="payments.search",
        live=True,
        placeholder="Part of a reference or of a client's name",
    )
with client_column:
    client = render_client_picker(connection.api, key="payments", label="Client")
render_payment_list(
    connection.api,
    connection.viewer,
    key="payments",
    criteria={"search": search.strip() or None, "clientId": client.id if client else None},
)
