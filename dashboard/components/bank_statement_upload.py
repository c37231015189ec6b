"""Uploading a bank statement file: its format told from its content, imported through the API."""

from __future__ import annotations

import streamlit as st

from dashboard.api import GraphQLClient, import_bank_statement
from dashboard.components.flash import flash
from dashboard.models import BankStatementFormat, BankStatementSummary

ACCEPTED_SUFFIXES = ["xml", "sta", "txt", "mt940", "940"]
MAX_UPLOAD_MB = 20


def statement_format_of(content: str) -> BankStatementFormat:
    """CAMT.053 for an XML document, MT940 otherwise."""
    xml = content.lstrip("\ufeff \t\r\n").startswith("<")
    return BankStatementFormat.CAMT053 if xml else BankStatementFormat.MT940


def describe_counts(statement: BankStatementSummary) -> str:
    """'1 matched, 2 unmatched, 1 duplicate, 1 ignored'."""
    return (
        f"{statement.matched} matched, {statement.unmatched} unmatched, "
        f"{statement.duplicates} duplicate, {statement.ignored} ignored"
    )


def render_statement_upload(api: GraphQLClient, *, key: str) -> BankStatementSummary | None:
    """The upload field and its Import button; the statement once the API imported it (a
    refusal is shown instead)."""
    uploaded = st.file_uploader(
        "Statement file (CAMT.053 XML or MT940)",
        type=ACCEPTED_SUFFIXES,
        key=f"{key}.file",
        max_upload_size=MAX_UPLOAD_MB,
        help="Entries naming an open invoice's number become payments of its client; an entry "
        "imported before is recorded once.",
    )
    if uploaded is None:
        return None
    if not st.button("Import statement", type="primary", key=f"{key}.import"):
        return None
    try:
        content = uploaded.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{uploaded.name} is not UTF-8 text: export the statement as UTF-8.")
        return None
    result = import_bank_statement(api, content, statement_format_of(content))
    if not result.ok:
        st.error(f"{uploaded.name} was not imported: {result.message}")
        return None
    statement = result.value
    flash(key, "success", f"Imported {uploaded.name}: {describe_counts(statement)}.")
    return statement
