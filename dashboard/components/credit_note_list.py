"""The tenant's credit notes paged through the server, newest first, each with its preview and
PDF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.api import GraphQLClient, fetch_credit_note_page
from dashboard.components.pager import CursorPager
from dashboard.formatting import format_date, format_money
from dashboard.layout import INVOICE_LIST_CLASS
from dashboard.models import CreditNote, CreditNotePage, CreditNoteSettlement

# Laid out as the invoice list's columns: the layout keeps columns 1, 3, 4 and 5 on one line
# (dashboard.layout), so the client's name, which may wrap, is the second.
COLUMN_WIDTHS = (1.3, 1.8, 1.3, 1.6, 1.3, 1.1, 1.4)
COLUMN_GAP = "xsmall"
HEADINGS = ("Number", "Client", "Issued", "Total", "Invoice #", "Settlement", "Documents")
SETTLEMENT_LABELS = {
    CreditNoteSettlement.OFFSET: "Offset",
    CreditNoteSettlement.CREDIT: "Credit",
    CreditNoteSettlement.REFUND: "Refund",
}
EMPTY = "No credit notes yet. Issue one with Credit note on an invoice's row."


def render_credit_note_list(
    api: GraphQLClient,
    *,
    key: str,
    criteria: Mapping[str, Any] | None = None,
    page_size: int = 25,
) -> CreditNotePage:
    """The credit notes matching `criteria` (a CreditNoteFilter), one server page at a time."""
    criteria = dict(criteria or {})
    pager = CursorPager(f"{key}.pager", tuple(sorted(criteria.items())), page_size)
    page = fetch_credit_note_page(api, criteria=criteria, first=page_size, after=pager.after)
    if not page.edges and pager.page_index == 0:
        st.info(EMPTY)
        return page
    # The invoice list's class: the same one-line rules for numbers, dates and amounts.
    with st.container(key=f"{INVOICE_LIST_CLASS}-{key}"):
        for column, heading in zip(
            st.columns(COLUMN_WIDTHS, gap=COLUMN_GAP), HEADINGS, strict=True
        ):
            column.markdown(f"**{heading}**")
        for edge in page.edges:
            render_row(edge.node, key)
    pager.controls(page, noun="credit notes")
    return page


def render_row(credit_note: CreditNote, key: str) -> None:
    with st.container(key=f"{key}-credit-note-{credit_note.id}"):
        number, client, issued, total, invoice, settlement, documents = st.columns(
            COLUMN_WIDTHS, gap=COLUMN_GAP, vertical_alignment="center"
        )
        number.markdown(credit_note.number)
        invoice.markdown(credit_note.invoice.display_number)
        client.markdown(credit_note.client.name)
        issued.markdown(format_date(credit_note.issued_on))
        total.markdown(format_money(credit_note.total, credit_note.invoice.currency))
        settlement.markdown(SETTLEMENT_LABELS[credit_note.settlement])
        with documents, st.container(horizontal=True, gap="small"):
            st.link_button(
                "View",
                credit_note.preview_url,
                type="tertiary",
                key=f"{key}-view-{credit_note.id}",
                help="Opens the credit note in a new tab.",
            )
            st.link_button(
                "PDF",
                credit_note.pdf_url,
                type="tertiary",
                key=f"{key}-pdf-{credit_note.id}",
                help="Downloads the credit note as a PDF/A-3 file.",
            )
