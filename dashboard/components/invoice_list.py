"""An invoice list paged through the server, one row per invoice with its badges and actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.api import GraphQLClient, fetch_invoice_page
from dashboard.components.flash import show_flashes
from dashboard.components.invoice_actions import (
    ask_to_credit,
    ask_to_delete,
    ask_to_void,
    open_dialogs,
    send_now,
)
from dashboard.components.pager import CursorPager
from dashboard.formatting import STATUS_COLOURS, format_date, format_money
from dashboard.layout import INVOICE_LIST_CLASS
from dashboard.models import ActionState, Invoice, InvoicePage, Viewer, invoices_on, is_development

CLIENT_BILLING_PAGE = "pages/client_billing.py"
# The layout keeps columns 1, 3, 4 and 5 on one line (dashboard.layout).
COLUMN_WIDTHS = (1.3, 1.6, 1.3, 1.5, 1.5, 1.6, 2.2)
COLUMN_GAP = "xsmall"
SEND_HELP = "Emails the invoice to the client now."
VOID_HELP = "Voids the invoice (asks first)."
CREDIT_HELP = "Issues a credit note for the whole invoice or chosen lines (asks first)."
DELETE_HELP = "Deletes the invoice for good (asks first)."
HEADINGS = ("Invoice #", "Client", "Issued", "Total", "Balance", "Status", "Actions")


def render_invoice_list(
    api: GraphQLClient,
    viewer: Viewer,
    *,
    key: str,
    criteria: Mapping[str, Any],
    page_size: int = 25,
    link_clients: bool = True,
) -> InvoicePage:
    """The invoices matching `criteria` (an InvoiceFilter), one server page at a time, with
    their row actions."""
    show_flashes(key)
    pager = CursorPager(f"{key}.pager", tuple(sorted(criteria.items())), page_size)
    page = fetch_invoice_page(api, criteria=criteria, first=page_size, after=pager.after)
    if invoices := invoices_on(page):
        with st.container(key=f"{INVOICE_LIST_CLASS}-{key}"):
            render_headings()
            for invoice in invoices:
                render_row(api, viewer, invoice, key=key, link_client=link_clients)
    pager.controls(page)
    open_dialogs(api, key)
    return page


def render_headings() -> None:
    for column, heading in zip(st.columns(COLUMN_WIDTHS, gap=COLUMN_GAP), HEADINGS, strict=True):
        column.markdown(f"**{heading}**")


def render_row(
    api: GraphQLClient, viewer: Viewer, invoice: Invoice, *, key: str, link_client: bool
) -> None:
    with st.container(key=f"{key}-invoice-{invoice.id}"):
        number, client, issued, total, balance, status, actions = st.columns(
            COLUMN_WIDTHS, gap=COLUMN_GAP, vertical_alignment="center"
        )
        number.markdown(invoice.display_number)
        with client:
            render_client(invoice, link_client)
        issued.markdown(format_date(invoice.issued_on))
        total.markdown(format_money(invoice.total, invoice.currency))
        balance.markdown(format_money(invoice.balance, invoice.currency))
        with status:
            render_badges(invoice)
        with actions:
            render_actions(api, viewer, invoice, key)


def render_client(invoice: Invoice, linked: bool) -> None:
    if linked:
        st.page_link(
            CLIENT_BILLING_PAGE,
            label=invoice.client.name,
            query_params={"client_id": invoice.client.id},
        )
    else:
        st.markdown(invoice.client.name)


def render_badges(invoice: Invoice) -> None:
    """The status badge, and an Emailed badge once the invoice was emailed."""
    with st.container(horizontal=True, gap="small"):
        st.badge(invoice.status.value, color=STATUS_COLOURS[invoice.status])
        if invoice.emailed_at is not None:
            st.badge("Emailed", color="blue", icon=":material/mail:")


def render_actions(api: GraphQLClient, viewer: Viewer, invoice: Invoice, key: str) -> None:
    """View, PDF, Send, Void, Credit note and (in development) Delete; each one the API refuses
    is disabled, with the API's reason as its help."""
    allowed = invoice.actions
    with st.container(horizontal=True, gap="small"):
        st.link_button(
            "View",
            invoice.preview_url,
            type="tertiary",
            key=f"{key}-view-{invoice.id}",
            disabled=not allowed.view.allowed,
            help=allowed.view.reason or "Opens the invoice in a new tab.",
        )
        st.link_button(
            "PDF",
            invoice.pdf_url,
            type="tertiary",
            key=f"{key}-pdf-{invoice.id}",
            disabled=not allowed.view.allowed,
            help=allowed.view.reason or "Downloads the invoice as a PDF/A-3 file (Factur-X).",
        )
        if action_button("Send", allowed.send, f"{key}-send-{invoice.id}", SEND_HELP):
            send_now(api, invoice, key)
        action_button(
            "Void",
            allowed.void,
            f"{key}-void-{invoice.id}",
            VOID_HELP,
            on_click=ask_to_void,
            args=(key, invoice),
        )
        action_button(
            "Credit note",
            allowed.credit,
            f"{key}-credit-{invoice.id}",
            CREDIT_HELP,
            on_click=ask_to_credit,
            args=(key, invoice),
        )
        if is_development(viewer):
            action_button(
                "Delete",
                allowed.delete,
                f"{key}-delete-{invoice.id}",
                DELETE_HELP,
                on_click=ask_to_delete,
                args=(key, invoice),
            )


def action_button(
    label: str, state: ActionState, key: str, what_it_does: str, **callback: Any
) -> bool:
    """One of an invoice's action buttons: disabled where the API refuses the action, with the
    API's reason as its help (else `what_it_does`); True when it was clicked."""
    return st.button(
        label,
        type="tertiary",
        key=key,
        disabled=not state.allowed,
        help=state.reason or what_it_does,
        **callback,
    )
