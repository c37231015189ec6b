"""The overview's invoice list: one server page in a table (the view's filters and order), a
click on a cell opening that invoice's detail, row selection for the bulk actions, and the
pager with "page n of m"."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard.api import GraphQLClient, fetch_invoice_page
from dashboard.components.flash import show_flashes
from dashboard.components.invoice_detail import DETAIL_PARAMETER
from dashboard.components.pager import CursorPager
from dashboard.formatting import STATUS_COLOURS, format_money, money_heading
from dashboard.list_view import ListView
from dashboard.models import Invoice, InvoicePage, InvoiceStatus, invoices_on

# The colour of a status's text in the table (st.badge's colours, as CSS).
STATUS_TEXT_COLOURS = {
    "gray": "#808495",
    "orange": "#e8871e",
    "yellow": "#c9a400",
    "green": "#21a366",
    "red": "#e0393e",
}
PAST_GRACE_COLOUR = "#e0393e"
COLUMNS = ("Invoice #", "Client", "Issued", "Due", "Days overdue", "Status", "Emailed")


def render_invoice_table(
    api: GraphQLClient, *, key: str, view: ListView, currency: str
) -> tuple[InvoicePage, list[Invoice]]:
    """The page of invoices the view asks for; with the invoices whose rows are selected."""
    show_flashes(key)
    signature = (tuple(sorted(view.criteria().items())), view.order(), view.page_size)
    pager = CursorPager(f"{key}.pager", signature, view.page_size)
    page = fetch_invoice_page(
        api,
        criteria=view.criteria(),
        first=view.page_size,
        after=pager.after,
        sort=view.order(),
    )
    invoices = invoices_on(page)
    st.session_state[f"{key}.page_ids"] = [invoice.id for invoice in invoices]
    if not invoices:
        what = "match this view" if view.criteria() else "yet"
        st.info(f"No invoices {what}.", icon=":material/inbox:")
        pager.controls(page)
        return page, []
    event = st.dataframe(
        styled(invoice_frame(invoices, currency)),
        key=f"{key}.table",
        hide_index=True,
        on_select=lambda: open_clicked_invoice(key),
        selection_mode=["multi-row", "single-cell"],
        column_config=column_config(currency),
        height="auto",
        # Days overdue is empty for an invoice that is not overdue.
        placeholder="",
    )
    page_controls(pager, page)
    selected = [invoices[row] for row in event.selection.rows if row < len(invoices)]
    return page, selected


def invoice_frame(invoices: list[Invoice], currency: str) -> pd.DataFrame:
    """One row per invoice; amounts as the API gives them (Decimal, the currency's places)."""
    return pd.DataFrame(
        {
            "Invoice #": [invoice.display_number for invoice in invoices],
            "Client": [invoice.client.name for invoice in invoices],
            "Issued": [invoice.issued_on for invoice in invoices],
            "Due": [invoice.due_on for invoice in invoices],
            "Days overdue": [invoice.days_overdue or None for invoice in invoices],
            money_heading("Total", currency): [invoice.total for invoice in invoices],
            money_heading("Balance", currency): [invoice.balance for invoice in invoices],
            "Status": [invoice.status.value.capitalize() for invoice in invoices],
            "Emailed": [invoice.emailed_at is not None for invoice in invoices],
            # Read by the styling only (hidden from view by the column order).
            "_past_grace": [invoice.past_grace for invoice in invoices],
        }
    )


def styled(frame: pd.DataFrame) -> Styler:
    """Days overdue in red past the grace date; each status in its badge colour; amounts
    grouped with their own places."""
    money = [name for name in frame.columns if name.endswith(")")]
    past_grace = frame["_past_grace"]

    def overdue_colour(column: pd.Series) -> list[str]:
        return [
            f"color: {PAST_GRACE_COLOUR}; font-weight: 600" if late else ""
            for late in past_grace.loc[column.index]
        ]

    def status_colour(value: str) -> str:
        colour = STATUS_COLOURS[InvoiceStatus(value.upper())]
        return f"color: {STATUS_TEXT_COLOURS.get(colour, 'inherit')}; font-weight: 600"

    return (
        frame.style.apply(overdue_colour, subset=["Days overdue"])
        .map(status_colour, subset=["Status"])
        .format(lambda amount: format_money(Decimal(amount)), subset=money)
        .format(lambda days: "" if pd.isna(days) else f"{int(days):,}", subset=["Days overdue"])
    )


def column_config(currency: str) -> dict[str, object]:
    total, balance = money_heading("Total", currency), money_heading("Balance", currency)
    return {
        "Invoice #": st.column_config.TextColumn(pinned=True),
        "Issued": st.column_config.DateColumn(format="YYYY-MM-DD"),
        "Due": st.column_config.DateColumn(format="YYYY-MM-DD"),
        "Days overdue": st.column_config.NumberColumn(
            help="Days since the due date while unpaid; red once past the grace date."
        ),
        total: st.column_config.NumberColumn(),
        balance: st.column_config.NumberColumn(help="What is still unpaid."),
        "Emailed": st.column_config.CheckboxColumn(),
        "_past_grace": None,
    }


def open_clicked_invoice(key: str) -> None:
    """A click on a cell opens that row's invoice (its id in the address, so the detail can be
    shared too); a click on the same cell again after closing opens it again."""
    state = st.session_state.get(f"{key}.table")
    cells = list(state.selection.cells) if state is not None else []
    if not cells:
        return
    row = cells[0][0] if isinstance(cells[0], (list, tuple)) else cells[0]["row"]
    ids = st.session_state.get(f"{key}.page_ids", [])
    if 0 <= row < len(ids):
        st.query_params[DETAIL_PARAMETER] = ids[row]


def page_controls(pager: CursorPager, page: InvoicePage) -> None:
    pages = max(1, math.ceil(page.total_count / pager.page_size))
    pager.controls(page, note=f"Page {pager.page_index + 1:,} of {pages:,}")
