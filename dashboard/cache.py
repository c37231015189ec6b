"""Figures the overview reads on every visit, kept for a short while per API token.

Streamlit's `st.cache_data` keeps each answer per API address and token (hashed: the token itself
is never a cache key) for a few seconds, so moving around the dashboard does not ask the API
again; any mutation the dashboard sends forgets them at once (`forget_figures`, wired into the
API client by `dashboard.session`), so a person sees the effect of their own action.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard.api import GraphQLClient, fetch_kpis, fetch_recent_runs, fetch_trends
from dashboard.models import InvoiceKpis, InvoiceRun, InvoiceTrends

KPI_SECONDS = 30
TREND_SECONDS = 120
RUN_LIST_SECONDS = 30


def caller_key(api: GraphQLClient) -> str:
    """Who asks, for the cache: the API address and a hash of the token."""
    return hashlib.sha256(f"{api.url}\n{api.token}".encode()).hexdigest()


@st.cache_data(ttl=KPI_SECONDS, show_spinner=False)
def _kpis(_api: GraphQLClient, caller: str) -> InvoiceKpis:
    return fetch_kpis(_api)


@st.cache_data(ttl=TREND_SECONDS, show_spinner=False)
def _trends(_api: GraphQLClient, caller: str, months: int) -> InvoiceTrends:
    return fetch_trends(_api, months)


@st.cache_data(ttl=RUN_LIST_SECONDS, show_spinner=False)
def _recent_runs(_api: GraphQLClient, caller: str, first: int) -> list[InvoiceRun]:
    return fetch_recent_runs(_api, first)


def cached_kpis(api: GraphQLClient) -> InvoiceKpis:
    return _kpis(api, caller_key(api))


def cached_trends(api: GraphQLClient, months: int = 12) -> InvoiceTrends:
    return _trends(api, caller_key(api), months)


def cached_recent_runs(api: GraphQLClient, first: int = 20) -> list[InvoiceRun]:
    return _recent_runs(api, caller_key(api), first)


def forget_figures() -> None:
    """Every kept answer, for every caller: after a change, all read afresh."""
    for kept in (_kpis, _trends, _recent_runs):
        kept.clear()
