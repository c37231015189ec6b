"""A statement's entries in the bank's order, each with its status, and for an unmatched one
the buttons a person resolves it with (Match opens the dialog, Ignore sets it aside)."""

from __future__ import annotations

import streamlit as st

from dashboard.api import GraphQLClient, ignore_bank_entry
from dashboard.components.bank_entry_dialog import ask_to_match, open_match_dialog
from dashboard.components.flash import flash
from dashboard.formatting import format_date, format_money
from dashboard.models import BankEntry, BankEntryDirection, BankEntryStatus, BankStatementDetail

COLUMN_WIDTHS = (1.0, 1.2, 1.7, 2.6, 1.5, 1.1, 1.5)
HEADINGS = ("Booked", "Amount", "Counterparty", "Remittance", "Bank reference", "Status", "")
STATUS_COLOURS = {
    BankEntryStatus.MATCHED: "green",
    BankEntryStatus.UNMATCHED: "orange",
    BankEntryStatus.DUPLICATE: "gray",
    BankEntryStatus.IGNORED: "gray",
}


def signed_amount(entry: BankEntry) -> str:
    """'49.90 EUR' received, '−1,200.00 EUR' paid out."""
    shown = format_money(entry.amount, entry.currency)
    return f"−{shown}" if entry.direction is BankEntryDirection.DEBIT else shown


def render_entries(
    api: GraphQLClient, statement: BankStatementDetail, *, key: str, editable: bool
) -> None:
    """The entries, and the match dialog where a row asked for it."""
    for column, heading in zip(st.columns(COLUMN_WIDTHS), HEADINGS, strict=True):
        column.markdown(f"**{heading}**")
    for entry in statement.entries:
        render_row(api, entry, key=key, editable=editable)
    open_match_dialog(api, statement, key=key)


def render_row(api: GraphQLClient, entry: BankEntry, *, key: str, editable: bool) -> None:
    with st.container(key=f"{key}-entry-{entry.id}"):
        booked, amount, party, remittance, reference, status, actions = st.columns(
            COLUMN_WIDTHS, vertical_alignment="center"
        )
        booked.markdown(format_date(entry.booked_on))
        amount.markdown(signed_amount(entry))
        party.markdown(entry.counterparty or "—")
        remittance.markdown(entry.remittance or "—")
        reference.markdown(f"`{entry.bank_reference}`")
        with status:
            st.badge(entry.status.value.capitalize(), color=STATUS_COLOURS[entry.status])
        if entry.note:
            status.caption(entry.note)
        if editable and entry.status is BankEntryStatus.UNMATCHED:
            with actions, st.container(horizontal=True, gap="small"):
                st.button(
                    "Match",
                    key=f"{key}-match-{entry.id}",
                    on_click=ask_to_match,
                    args=(key, entry.id),
                    help="Record it as a payment of a client you choose.",
                )
                if st.button(
                    "Ignore",
                    key=f"{key}-ignore-{entry.id}",
                    type="tertiary",
                    help="Set it aside: it records nothing.",
                ):
                    ignore(api, entry, key)


def ignore(api: GraphQLClient, entry: BankEntry, key: str) -> None:
    result = ignore_bank_entry(api, entry.id)
    if result.ok:
        flash(key, "success", f"Ignored the entry {entry.bank_reference}.")
    else:
        flash(key, "error", f"The entry was not ignored: {result.message}")
    st.rerun()
