"""Where the dashboard's API address and token come from, and who the token belongs to.

The address is ISPBOX_API_URL; the token is ISPBOX_API_TOKEN unless one is entered in the
sidebar. The app connects once per script run (`dashboard.navigation`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx
import streamlit as st

from dashboard.api import DEFAULT_API_URL, GraphQLClient, fetch_viewer
from dashboard.models import Viewer

TOKEN_INPUT_KEY = "api_token"


@dataclass(frozen=True, slots=True)
class Connection:
    """The API client of this script run and the viewer its token belongs to."""

    api: GraphQLClient
    viewer: Viewer


@st.cache_resource
def shared_http_client() -> httpx.Client:
    """One pooled HTTP client for every session of this dashboard process."""
    return httpx.Client()


def api_url() -> str:
    return os.environ.get("ISPBOX_API_URL") or DEFAULT_API_URL


def token_input() -> str | None:
    """The sidebar's token field; the environment's token where it is left empty."""
    environment_token = os.environ.get("ISPBOX_API_TOKEN") or None
    entered = st.sidebar.text_input(
        "API token",
        key=TOKEN_INPUT_KEY,
        type="password",
        placeholder="Using ISPBOX_API_TOKEN" if environment_token else "Paste an API token",
        help="Overrides ISPBOX_API_TOKEN for this browser session.",
    )
    return entered.strip() if entered and entered.strip() else environment_token


def connect(token: str | None) -> Connection:
    """Asks the API who the token belongs to; raises `ApiError` where it cannot tell."""
    api = GraphQLClient(api_url(), token, http=shared_http_client())
    return Connection(api=api, viewer=fetch_viewer(api))


def show_viewer(viewer: Viewer) -> None:
    """Who is signed in, in the sidebar."""
    st.sidebar.caption(f"{viewer.user_name} · {viewer.tenant_name}")
    rights = "view and edit" if viewer.can_edit else "view only"
    st.sidebar.caption(f"Permissions: {rights} · {viewer.environment}")
