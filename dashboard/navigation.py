"""The app around every page: page config, navigation, the API connection, the sidebar.

Streamlit treats a `pages/` folder beside the main script as a legacy multipage app until
`st.navigation` has run once in the process: a first request for /bulk_run (or AppTest's
`switch_page`) then executes the page file alone. `page_connection()` notices that and runs the
whole app instead, so a page never renders without the connection check and the sidebar.
"""

from __future__ import annotations

from contextvars import ContextVar

import streamlit as st

from dashboard.api import ApiError
from dashboard.layout import apply_layout
from dashboard.session import Connection, SignInNeeded, connect, show_viewer, token_input

# Set while `run_app` runs a page: the connection of that script run.
_connection: ContextVar[Connection | None] = ContextVar("connection", default=None)


def pages() -> list[st.Page]:
    return [
        st.Page(
            "pages/invoices.py", title="Invoices", icon=":material/receipt_long:", default=True
        ),
        st.Page(
            "pages/bulk_run.py",
            title="Bulk run",
            icon=":material/play_circle:",
            url_path="bulk_run",
        ),
        st.Page(
            "pages/client_billing.py",
            title="Client billing",
            icon=":material/person:",
            url_path="client_billing",
        ),
        st.Page(
            "pages/collections.py",
            title="Collections",
            icon=":material/notification_important:",
            url_path="collections",
        ),
        st.Page(
            "pages/payments.py",
            title="Payments",
            icon=":material/payments:",
            url_path="payments",
        ),
        st.Page(
            "pages/credit_notes.py",
            title="Credit notes",
            icon=":material/assignment_return:",
            url_path="credit_notes",
        ),
        st.Page(
            "pages/bank_statements.py",
            title="Bank statements",
            icon=":material/account_balance:",
            url_path="bank_statements",
        ),
        st.Page(
            "pages/settings.py",
            title="Settings",
            icon=":material/settings:",
            url_path="settings",
        ),
    ]


def run_app() -> None:
    """Sign in with the sidebar's token (the environment's in development), then run the
    chosen page."""
    st.set_page_config(
        page_title="ispbox · Invoices", page_icon=":material/receipt_long:", layout="wide"
    )
    apply_layout()
    page = st.navigation(pages())
    try:
        connection = connect(token_input())
    except SignInNeeded as needed:
        st.info(str(needed))
        st.stop()
    except ApiError as error:
        st.error(str(error))
        st.stop()
    show_viewer(connection.viewer)
    current = _connection.set(connection)
    try:
        page.run()
    except ApiError as error:
        st.error(str(error))
    finally:
        _connection.reset(current)


def page_connection() -> Connection:
    """The connection of this script run, for a page; runs the app first where the page file
    was executed on its own (see the module's docstring)."""
    connection = _connection.get()
    if connection is None:
        run_app()
        st.stop()
    return connection
