"""A client picker with a live name search (the API's `clients(search:)`)."""

from __future__ import annotations

import streamlit as st

from dashboard.api import GraphQLClient, search_clients
from dashboard.models import Client

NO_CLIENT = ""


def describe_client(client: Client) -> str:
    """'Jane Smith · #12 (active, blocked)': the id tells clients of the same name apart."""
    status = client.status.value.lower() + (", blocked" if client.blocked else "")
    return f"{client.name} · #{client.id} ({status})"


def render_client_picker(
    api: GraphQLClient,
    *,
    key: str,
    label: str = "Client for quick navigation (optional)",
    none_label: str = "All clients",
) -> Client | None:
    """The chosen client, or None. The chosen one stays offered while the search changes."""
    search = st.text_input(
        "Find a client",
        key=f"{key}.client_search",
        live=True,
        placeholder="Type part of a client's name",
    )
    found = {client.id: client for client in search_clients(api, search.strip() or None)}
    known: dict[str, Client] = st.session_state.setdefault(f"{key}.known_clients", {})
    chosen_id = st.session_state.get(f"{key}.client")
    if chosen_id and chosen_id not in found and chosen_id in known:
        found = {chosen_id: known[chosen_id], **found}
    known.update(found)
    chosen = st.selectbox(
        label,
        [NO_CLIENT, *found],
        format_func=lambda client_id: (
            describe_client(found[client_id]) if client_id else none_label
        ),
        key=f"{key}.client",
    )
    return found.get(chosen) if chosen else None
