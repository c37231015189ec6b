"""Where the dashboard's API address and token come from, and who the token belongs to.

The address is ISPBOX_API_URL. Each person signs in with their own API token in the sidebar; it
is kept in their browser session (`st.session_state`) only. A token in ISPBOX_API_TOKEN is a
development convenience (`ispbox up` sets the demo editor's): it is used only where the API says
it runs in development, never as a shared token for every visitor in production. The app
connects once per script run (`dashboard.navigation`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx
import streamlit as st

from dashboard.api import DEFAULT_API_URL, ApiError, GraphQLClient, fetch_viewer
from dashboard.cache import forget_figures
from dashboard.models import Viewer, can_edit, is_development

TOKEN_INPUT_KEY = "api_token"
SIGN_IN_MESSAGE = "Sign in: enter your API token in the sidebar."
SHARED_TOKEN_REFUSED = (
    "Sign in with your own API token in the sidebar: the token this dashboard was started with "
    "(ISPBOX_API_TOKEN) is used only in development."
)


class SignInNeeded(ApiError):
    """No token of the visitor's own to act with."""


@dataclass(frozen=True, slots=True)
class SignIn:
    """The token to act with and whether it came from the environment rather than the visitor."""

    token: str | None
    from_environment: bool


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


def token_input() -> SignIn:
    """The sidebar's token field; the environment's token where it is left empty."""
    environment_token = os.environ.get("ISPBOX_API_TOKEN") or None
    entered = st.sidebar.text_input(
        "API token",
        key=TOKEN_INPUT_KEY,
        type="password",
        placeholder="Paste your API token",
        help="Your own API token. It is kept for this browser session only.",
    )
    token = entered.strip() if entered else ""
    if token:
        st.sidebar.button("Sign out", key="sign_out", on_click=sign_out)
        return SignIn(token=token, from_environment=False)
    return SignIn(token=environment_token, from_environment=environment_token is not None)


def sign_out() -> None:
    st.session_state[TOKEN_INPUT_KEY] = ""


def connect(sign_in: SignIn) -> Connection:
    """Asks the API who the token belongs to; raises `ApiError` where it cannot tell, and
    `SignInNeeded` where there is no token or the environment's token is not for this API."""
    if sign_in.token is None:
        raise SignInNeeded(SIGN_IN_MESSAGE)
    api = GraphQLClient(
        api_url(), sign_in.token, http=shared_http_client(), after_mutation=forget_figures
    )
    viewer = fetch_viewer(api)
    if sign_in.from_environment and not is_development(viewer):
        raise SignInNeeded(SHARED_TOKEN_REFUSED)
    return Connection(api=api, viewer=viewer)


def show_viewer(viewer: Viewer) -> None:
    """Who is signed in, in the sidebar."""
    st.sidebar.caption(f"{viewer.user_name} · {viewer.tenant_name}")
    rights = "view and edit" if can_edit(viewer) else "view only"
    st.sidebar.caption(f"Permissions: {rights} · {viewer.environment}")
