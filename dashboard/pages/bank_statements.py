"""Bank statements: upload a CAMT.053 or MT940 file, see each statement's entries with their
status, and match or ignore the entries no invoice number was found in."""

from __future__ import annotations

import streamlit as st

from dashboard.api import fetch_bank_statement, fetch_bank_statements
from dashboard.components.bank_entries import render_entries
from dashboard.components.bank_statement_upload import describe_counts, render_statement_upload
from dashboard.components.flash import show_flashes
from dashboard.formatting import format_instant
from dashboard.models import BankStatementSummary, can_edit
from dashboard.navigation import page_connection

KEY = "bank_statements"
EMPTY = "No bank statements imported yet."

connection = page_connection()
api, viewer = connection.api, connection.viewer


def describe_statement(statement: BankStatementSummary) -> str:
    """'#12 · 2026-11-30 18:02 UTC · DE89370400440532013000 · CAMT053 · 1 matched, …': the
    number tells apart two statements imported in the same minute."""
    return (
        f"#{statement.id} · {format_instant(statement.imported_at)} · {statement.account} · "
        f"{statement.format.value} · {describe_counts(statement)}"
    )


st.title("Bank statements")
st.caption(
    "Incoming transfers whose text names an open invoice's number are recorded as payments of "
    "its client when the statement is imported; match or ignore the others here."
)
show_flashes(KEY)
editable = can_edit(viewer)
if editable:
    imported = render_statement_upload(api, key=KEY)
    if imported is not None:
        st.session_state[f"{KEY}.statement"] = imported.id
        st.rerun()

statements = {statement.id: statement for statement in fetch_bank_statements(api)}
if not statements:
    st.info(EMPTY)
else:
    chosen = st.selectbox(
        "Statement",
        list(statements),
        format_func=lambda statement_id: describe_statement(statements[statement_id]),
        key=f"{KEY}.statement",
    )
    statement = fetch_bank_statement(api, chosen)
    matched, unmatched, duplicates, ignored = st.columns(4)
    matched.metric("Matched", statement.matched)
    unmatched.metric("Unmatched", statement.unmatched)
    duplicates.metric("Duplicates", statement.duplicates)
    ignored.metric("Ignored", statement.ignored)
    render_entries(api, statement, key=KEY, editable=editable)
