"""The invoice list's filters, order and page size as widgets, seeded from the address's query
string and written back to it after every change (`dashboard.list_view`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard.api import GraphQLClient, NotFound, fetch_client, fetch_run
from dashboard.cache import cached_recent_runs
from dashboard.components.client_picker import render_client_picker
from dashboard.formatting import run_label
from dashboard.list_view import (
    DATE_PARAMETERS,
    PAGE_SIZES,
    SORT_LABELS,
    ListView,
    parse_amount,
    view_from_query,
    view_to_query,
)
from dashboard.models import InvoiceRun, InvoiceSortField, InvoiceStatus, SortDirection

# The query string's parameters this view owns (others, such as the open invoice, stay).
VIEW_PARAMETERS = (
    "q", "status", *DATE_PARAMETERS, "overdue", "client", "run", "min", "max", "sort", "dir",
    "size",
)  # fmt: skip
NO_RUN = ""
DIRECTION_LABELS = {SortDirection.ASC: "Ascending", SortDirection.DESC: "Descending"}


def render_filters(api: GraphQLClient, *, key: str) -> ListView:
    """The search and the filters (in an expander, open while any is set); the view they make,
    also written to the query string."""
    _seed_from_query(api, key)
    search = st.text_input(
        "Search invoices or clients",
        key=f"{key}.search",
        live=True,
        placeholder="Invoice number or client name",
    )
    widgets = _widget_values(key)
    active = sum(1 for value in widgets.values() if value not in (None, "", [], False))
    label = f"Filters ({active} on)" if active else "Filters"
    with st.expander(label, expanded=active > 0, icon=":material/filter_list:"):
        statuses, issued, due = st.columns([2, 2, 2])
        statuses.multiselect(
            "Status",
            list(InvoiceStatus),
            key=f"{key}.statuses",
            format_func=lambda status: status.value.capitalize(),
            placeholder="Every status",
        )
        issued_from, issued_to = issued.columns(2)
        issued_from.date_input("Issued from", key=f"{key}.issued_from")
        issued_to.date_input("Issued to", key=f"{key}.issued_to")
        due_from, due_to = due.columns(2)
        due_from.date_input("Due from", key=f"{key}.due_from")
        due_to.date_input("Due to", key=f"{key}.due_to")
        client_column, run_column, amounts, overdue = st.columns(
            [3, 2, 2, 1.2], vertical_alignment="bottom"
        )
        with client_column:
            client = render_client_picker(
                api, key=f"{key}.filter", label="Client", none_label="Every client"
            )
        with run_column:
            run_id = _run_select(api, key)
        total_min, total_max = amounts.columns(2)
        total_min.text_input("Total from", key=f"{key}.total_min", placeholder="0.00")
        total_max.text_input("Total to", key=f"{key}.total_max", placeholder="Any")
        overdue.toggle("Overdue only", key=f"{key}.overdue", help="Unpaid past the due date.")
    amount_min, amount_max = (
        _amount(f"{key}.total_min", "Total from"),
        _amount(f"{key}.total_max", "Total to"),
    )
    view = ListView(
        search=search,
        statuses=tuple(st.session_state[f"{key}.statuses"]),
        **{name: st.session_state[f"{key}.{name}"] for name in DATE_PARAMETERS},
        overdue_only=st.session_state[f"{key}.overdue"],
        client_id=client.id if client else None,
        run_id=run_id,
        total_min=amount_min,
        total_max=amount_max,
        sort=st.session_state.get(f"{key}.sort", InvoiceSortField.ISSUED),
        direction=st.session_state.get(f"{key}.direction", SortDirection.DESC),
        page_size=st.session_state.get(f"{key}.page_size", PAGE_SIZES[0]),
    )
    _write_query(key, view)
    return view


def render_order_controls(key: str) -> None:
    """Sort column, direction and page size, beside the list."""
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        st.selectbox(
            "Sort by",
            list(SORT_LABELS),
            key=f"{key}.sort",
            format_func=SORT_LABELS.__getitem__,
            width=160,
        )
        st.segmented_control(
            "Direction",
            list(DIRECTION_LABELS),
            key=f"{key}.direction",
            format_func=DIRECTION_LABELS.__getitem__,
            required=True,
        )
        st.selectbox("Rows per page", PAGE_SIZES, key=f"{key}.page_size", width=120)


def _widget_values(key: str) -> dict[str, Any]:
    names = ("statuses", *DATE_PARAMETERS, "total_min", "total_max", "overdue", "run")
    values = {name: st.session_state.get(f"{key}.{name}") for name in names}
    values["client"] = st.session_state.get(f"{key}.filter.client")
    return values


def _seed_from_query(api: GraphQLClient, key: str) -> None:
    """Once per session (and whenever the address names another view): the widgets take the
    view of the query string."""
    query = {name: st.query_params[name] for name in VIEW_PARAMETERS if name in st.query_params}
    if st.session_state.get(f"{key}.written_query") == query:
        return
    view = view_from_query(query)
    for problem in view.problems:
        st.warning(f"Left out of the view: {problem}.")
    state = st.session_state
    state[f"{key}.search"] = view.search
    state[f"{key}.statuses"] = list(view.statuses)
    for name in DATE_PARAMETERS:
        state[f"{key}.{name}"] = getattr(view, name)
    state[f"{key}.overdue"] = view.overdue_only
    state[f"{key}.total_min"] = "" if view.total_min is None else f"{view.total_min:f}"
    state[f"{key}.total_max"] = "" if view.total_max is None else f"{view.total_max:f}"
    state[f"{key}.sort"] = view.sort
    state[f"{key}.direction"] = view.direction
    state[f"{key}.page_size"] = view.page_size
    state[f"{key}.run"] = view.run_id or NO_RUN
    state[f"{key}.filter.client"] = _known_client(api, key, view.client_id)
    state[f"{key}.written_query"] = query


def _known_client(api: GraphQLClient, key: str, client_id: str | None) -> str:
    """The picker's value for a client named in the address (offered even before a search)."""
    if not client_id:
        return ""
    try:
        client = fetch_client(api, client_id)
    except NotFound:
        st.warning(f"Left out of the view: client {client_id} does not exist.")
        return ""
    st.session_state.setdefault(f"{key}.filter.known_clients", {})[client.id] = client
    return client.id


def _run_select(api: GraphQLClient, key: str) -> str | None:
    runs: dict[str, InvoiceRun] = {run.id: run for run in cached_recent_runs(api, first=20)}
    chosen = st.session_state.get(f"{key}.run") or NO_RUN
    if chosen and chosen not in runs:
        try:
            runs[chosen] = fetch_run(api, chosen)
        except NotFound:
            st.session_state[f"{key}.run"] = NO_RUN
    describe: Callable[[str], str] = lambda run_id: (  # noqa: E731
        run_label(run_id, runs[run_id].billing_date) if run_id else "Every run"
    )
    return st.selectbox("Run", [NO_RUN, *runs], key=f"{key}.run", format_func=describe) or None


def _amount(widget_key: str, label: str) -> Any:
    text = st.session_state.get(widget_key) or ""
    if not text.strip():
        return None
    amount = parse_amount(text)
    if amount is None:
        st.error(f"{label}: “{text}” is not an amount; it is left out of the view.")
    return amount


def _write_query(key: str, view: ListView) -> None:
    """The query string follows the view; parameters the view does not own stay."""
    wanted = view_to_query(view)
    for name in VIEW_PARAMETERS:
        if name in st.query_params and name not in wanted:
            del st.query_params[name]
    for name, value in wanted.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    st.session_state[f"{key}.written_query"] = wanted
