"""The match dialog: record an unmatched bank entry as a payment, of the suggested invoices a
person ticks (in that order) or of a client they pick (their open invoices oldest due first).
Whatever the invoices do not take stays the client's credit."""

from __future__ import annotations

import streamlit as st

from dashboard.api import GraphQLClient, fetch_bank_entry_suggestions, match_bank_entry
from dashboard.components.client_picker import render_client_picker
from dashboard.components.confirmation import dialog_confirmed
from dashboard.components.flash import flash
from dashboard.formatting import format_date, format_money
from dashboard.models import BankEntry, BankStatementDetail, SuggestedInvoice

NO_SUGGESTION = "No open invoice of this amount or of a client the payer's name matches."
ONE_CLIENT = "Choose invoices of one client: a payment belongs to one client."


def ask_to_match(key: str, entry_id: str) -> None:
    st.session_state[_target_key(key)] = entry_id


def forget_match(key: str) -> None:
    st.session_state.pop(_target_key(key), None)


def _target_key(key: str) -> str:
    return f"{key}.matching"


def open_match_dialog(api: GraphQLClient, statement: BankStatementDetail, *, key: str) -> None:
    """Show the dialog where a row's Match asked for it."""
    entry_id = st.session_state.get(_target_key(key))
    entry = next((entry for entry in statement.entries if entry.id == entry_id), None)
    if entry is None:
        forget_match(key)
        return
    suggestions = fetch_bank_entry_suggestions(api, statement.id).get(entry.id, [])
    match_dialog(api, key, entry, suggestions)


def describe_suggestion(invoice: SuggestedInvoice) -> str:
    """'INV-000013 · Ana Lopez · 25.00 EUR due 2026-11-15'."""
    return (
        f"{invoice.display_number} · {invoice.client.name} · "
        f"{format_money(invoice.balance, invoice.currency)} due {format_date(invoice.due_on)}"
    )


@st.dialog("Match bank entry", width="large")
def match_dialog(
    api: GraphQLClient, key: str, entry: BankEntry, suggestions: list[SuggestedInvoice]
) -> None:
    st.markdown(
        f"**{format_money(entry.amount, entry.currency)}** from "
        f"{entry.counterparty or 'an unnamed payer'} on {format_date(entry.booked_on)}"
        + (f": “{entry.remittance}”" if entry.remittance else "")
    )
    by_id = {invoice.id: invoice for invoice in suggestions}
    if not suggestions:
        st.caption(NO_SUGGESTION)
    chosen = st.multiselect(
        "Invoices to pay, in this order",
        list(by_id),
        format_func=lambda invoice_id: describe_suggestion(by_id[invoice_id]),
        key=f"{key}.match.invoices.{entry.id}",
        disabled=not suggestions,
    )
    picked = None
    if not chosen:
        st.caption(
            "Or choose the client: their open invoices are paid oldest due first, the rest is "
            "their credit."
        )
        picked = render_client_picker(
            api, key=f"{key}.match.{entry.id}", label="Client", none_label="Choose a client"
        )
    if not dialog_confirmed("Record payment", f"{key}.match", lambda: forget_match(key)):
        return
    clients = {by_id[invoice_id].client.id: by_id[invoice_id].client for invoice_id in chosen}
    if len(clients) > 1:
        st.error(ONE_CLIENT)
        return
    client = next(iter(clients.values()), None) or picked
    if client is None:
        st.error("Choose invoices or a client to record the payment for.")
        return
    result = match_bank_entry(api, entry.id, client_id=client.id, invoice_ids=chosen or None)
    if not result.ok:
        st.error(f"No payment was recorded: {result.message}")
        return
    forget_match(key)
    flash(
        key,
        "success",
        f"Recorded {format_money(entry.amount, entry.currency)} as a payment of {client.name}.",
    )
    st.rerun()
