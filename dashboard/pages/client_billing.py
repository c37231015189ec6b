"""Client billing: one client (`?client_id=`), its invoices and account, and a run for it alone."""

from __future__ import annotations

import streamlit as st

from dashboard.api import NotFound, fetch_client, invoice_filter
from dashboard.components.client_account import render_services_and_charges
from dashboard.components.client_picker import render_client_picker
from dashboard.components.client_receivables import render_client_receivables
from dashboard.components.invoice_detail import open_detail_if_asked
from dashboard.components.invoice_list import render_invoice_list
from dashboard.components.run_workspace import render_run_workspace
from dashboard.graphql_client import ClientStatus
from dashboard.models import Client, blocked_label
from dashboard.navigation import page_connection

connection = page_connection()
api, viewer = connection.api, connection.viewer


def choose_client() -> None:
    """Without a client in the address: pick one, then show its page."""
    st.title("Client billing")
    chosen = render_client_picker(
        api, key="client_billing", label="Client", none_label="Choose a client"
    )
    if chosen is not None:
        st.query_params["client_id"] = chosen.id
        st.rerun()


def client_header(client: Client) -> None:
    st.title(client.name)
    with st.container(horizontal=True):
        overdue = client.status is ClientStatus.OVERDUE
        st.badge(client.status.value.capitalize(), color="orange" if overdue else "blue")
        if client.blocked:
            st.badge(f"{blocked_label(client.blocked_reason)}: runs skip this client", color="red")
        st.caption(client.email or "No email address")


client_id = st.query_params.get("client_id")
if not client_id:
    choose_client()
    st.stop()
try:
    client = fetch_client(api, client_id)
except NotFound:
    st.title("Client billing")
    st.error(f"{connection.viewer.tenant_name} has no client with id {client_id}.")
    st.stop()

client_header(client)
render_services_and_charges(api, client, viewer.currency)
render_client_receivables(api, viewer, client)
st.subheader("Invoices")
render_invoice_list(
    api,
    viewer,
    key=f"client-{client.id}-invoices",
    criteria=invoice_filter(client_id=client.id),
    link_clients=False,
)
st.subheader("Run for this client")
render_run_workspace(
    api,
    viewer,
    key=f"client-{client.id}-run",
    client=client,
    run_button_label="Run for this client",
    client_link=False,
)
# An invoice clicked in a run's summary opens here, with the list's actions.
open_detail_if_asked(api, viewer, key=f"client-{client.id}-invoices")
