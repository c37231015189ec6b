"""Bulk actions on the invoices selected in the list: send, download their PDFs as one zip
(through each invoice's signed PDF link), export them as CSV. Each asks first in a dialog and
then shows what happened to every invoice."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import streamlit as st

from dashboard.api import ApiError, GraphQLClient, send_invoice
from dashboard.components.csv_export import csv_of
from dashboard.formatting import count_of, format_money
from dashboard.models import Invoice

Action = Literal["send", "pdf", "csv"]
TITLES = {"send": "Send invoices", "pdf": "Download PDFs", "csv": "Export CSV"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one invoice's action came to."""

    invoice: Invoice
    done: bool
    message: str


def render_bulk_actions(api: GraphQLClient, *, key: str, selected: list[Invoice]) -> None:
    """The selection's count and its three actions (disabled while nothing is selected), and
    the dialog of the action asked for."""
    none = not selected
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.caption(
            f"{count_of(len(selected), 'invoice')} selected"
            if selected
            else "Select rows to act on several invoices at once."
        )
        for action, label, icon in (
            ("send", "Send", ":material/send:"),
            ("pdf", "Download PDFs", ":material/folder_zip:"),
            ("csv", "Export CSV", ":material/table_view:"),
        ):
            st.button(
                label,
                key=f"{key}.bulk.{action}",
                icon=icon,
                disabled=none,
                on_click=_ask,
                args=(key, action, selected),
            )
    asked = st.session_state.get(_asked_key(key))
    if asked is not None:
        action, invoices = asked
        _DIALOGS[action](api, key, invoices)


def _ask(key: str, action: Action, invoices: list[Invoice]) -> None:
    st.session_state[_asked_key(key)] = (action, list(invoices))
    st.session_state.pop(_outcomes_key(key), None)


def _asked_key(key: str) -> str:
    return f"{key}.bulk.asked"


def _outcomes_key(key: str) -> str:
    return f"{key}.bulk.outcomes"


def _forget(key: str) -> None:
    st.session_state.pop(_asked_key(key), None)
    st.session_state.pop(_outcomes_key(key), None)


def send_each(api: GraphQLClient, invoices: list[Invoice]) -> list[Outcome]:
    """Email each invoice the API allows to be sent; the others are named with the API's
    reason, untouched."""
    outcomes = []
    for invoice in invoices:
        if not invoice.actions.send.allowed:
            outcomes.append(Outcome(invoice, False, f"Not sent: {invoice.actions.send.reason}"))
            continue
        result = send_invoice(api, invoice.id)
        if result.ok:
            recipient = invoice.client.email or invoice.client.name
            outcomes.append(Outcome(invoice, True, f"Emailed to {recipient}"))
        else:
            outcomes.append(Outcome(invoice, False, f"Not sent: {result.message}"))
    return outcomes


def zip_of_pdfs(api: GraphQLClient, invoices: list[Invoice]) -> tuple[bytes, list[Outcome]]:
    """One zip of the invoices' PDFs (named by invoice number), fetched through their signed
    links; with each invoice's outcome (a refused or unreachable link leaves that one out)."""
    buffer = io.BytesIO()
    outcomes = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            if not invoice.actions.view.allowed:
                outcomes.append(Outcome(invoice, False, f"Left out: {invoice.actions.view.reason}"))
                continue
            try:
                document = api.get_document(invoice.pdf_url)
            except ApiError as error:
                outcomes.append(Outcome(invoice, False, f"Left out: {error}"))
                continue
            archive.writestr(f"{invoice.display_number}.pdf", document)
            outcomes.append(Outcome(invoice, True, f"Added ({len(document):,} bytes)"))
    return buffer.getvalue(), outcomes


def render_outcomes(outcomes: list[Outcome]) -> None:
    done = sum(outcome.done for outcome in outcomes)
    summary = f"{done} of {count_of(len(outcomes), 'invoice')} done."
    (st.success if done == len(outcomes) else st.warning)(summary)
    st.dataframe(
        pd.DataFrame(
            {
                "Invoice #": [outcome.invoice.display_number for outcome in outcomes],
                "Client": [outcome.invoice.client.name for outcome in outcomes],
                "Done": [outcome.done for outcome in outcomes],
                "Result": [outcome.message for outcome in outcomes],
            }
        ),
        hide_index=True,
        column_config={"Done": st.column_config.CheckboxColumn()},
    )


def _listing(invoices: list[Invoice]) -> None:
    for invoice in invoices[:10]:
        st.markdown(
            f"- **{invoice.display_number}** · {invoice.client.name} · "
            f"{format_money(invoice.total, invoice.currency)}"
        )
    if len(invoices) > 10:
        st.caption(f"and {count_of(len(invoices) - 10, 'more invoice')}")


def _confirm_row(key: str, label: str) -> bool:
    with st.container(horizontal=True):
        confirmed = st.button(label, type="primary", key=f"{key}.bulk.confirm")
        if st.button("Cancel", key=f"{key}.bulk.cancel"):
            _forget(key)
            st.rerun()
    return confirmed


def _close_row(key: str) -> None:
    if st.button("Close", key=f"{key}.bulk.close"):
        _forget(key)
        st.rerun()


def _dismissed() -> None:
    for name in [name for name in st.session_state if str(name).endswith(".bulk.asked")]:
        del st.session_state[name]


@st.dialog(TITLES["send"], on_dismiss=_dismissed, width="medium")
def send_dialog(api: GraphQLClient, key: str, invoices: list[Invoice]) -> None:
    outcomes = st.session_state.get(_outcomes_key(key))
    if outcomes is None:
        st.markdown(f"Email {count_of(len(invoices), 'invoice')} to their clients now?")
        _listing(invoices)
        if _confirm_row(key, f"Send {count_of(len(invoices), 'invoice')}"):
            st.session_state[_outcomes_key(key)] = send_each(api, invoices)
            st.rerun()
        return
    render_outcomes(outcomes)
    _close_row(key)


@st.dialog(TITLES["pdf"], on_dismiss=_dismissed, width="medium")
def pdf_dialog(api: GraphQLClient, key: str, invoices: list[Invoice]) -> None:
    made = st.session_state.get(_outcomes_key(key))
    if made is None:
        st.markdown(f"Fetch the PDFs of {count_of(len(invoices), 'invoice')} into one zip file?")
        _listing(invoices)
        if _confirm_row(key, "Make the zip"):
            st.session_state[_outcomes_key(key)] = zip_of_pdfs(api, invoices)
            st.rerun()
        return
    archive, outcomes = made
    render_outcomes(outcomes)
    with st.container(horizontal=True):
        st.download_button(
            "Download zip",
            data=archive,
            file_name="invoices.zip",
            mime="application/zip",
            type="primary",
            icon=":material/download:",
            disabled=not any(outcome.done for outcome in outcomes),
            on_click="ignore",
            key=f"{key}.bulk.download",
        )
    _close_row(key)


@st.dialog(TITLES["csv"], on_dismiss=_dismissed, width="medium")
def csv_dialog(api: GraphQLClient, key: str, invoices: list[Invoice]) -> None:
    st.markdown(f"Export {count_of(len(invoices), 'invoice')} as a CSV file?")
    _listing(invoices)
    with st.container(horizontal=True):
        st.download_button(
            f"Download CSV of {count_of(len(invoices), 'invoice')}",
            data=csv_of(invoices),
            file_name="selected-invoices.csv",
            mime="text/csv",
            type="primary",
            icon=":material/download:",
            on_click="ignore",
            key=f"{key}.bulk.download",
        )
    render_outcomes([Outcome(invoice, True, "In the file") for invoice in invoices])
    _close_row(key)


_DIALOGS = {"send": send_dialog, "pdf": pdf_dialog, "csv": csv_dialog}
