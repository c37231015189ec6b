"""An invoice's detail in a dialog: its dates, amounts, lines, taxes, credit notes, payments and
delivery, as the API serves them, with the row actions.

The open invoice is the address's `invoice` parameter, so a detail can be bookmarked and shared
and stays open across the reruns its own buttons cause. Void, credit note and delete close it and
open their own dialog (one dialog at a time).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.api import GraphQLClient, NotFound, fetch_invoice_detail
from dashboard.components.flash import show_flashes
from dashboard.components.invoice_actions import ask_to_credit, ask_to_delete, ask_to_void, send_now
from dashboard.components.invoice_list import (
    CREDIT_HELP,
    DELETE_HELP,
    SEND_HELP,
    VOID_HELP,
    action_button,
    render_badges,
)
from dashboard.formatting import MONEY_COLUMN_FORMAT, format_date, format_instant, format_money
from dashboard.models import Invoice, InvoiceDetail, Viewer, is_development

DETAIL_PARAMETER = "invoice"


def open_detail_if_asked(api: GraphQLClient, viewer: Viewer, *, key: str) -> None:
    """The dialog of the invoice the address names, if it names one."""
    invoice_id = st.query_params.get(DETAIL_PARAMETER)
    if invoice_id:
        invoice_detail_dialog(api, viewer, key, invoice_id)


def close_detail() -> None:
    if DETAIL_PARAMETER in st.query_params:
        del st.query_params[DETAIL_PARAMETER]


def _dismissed() -> None:
    close_detail()


@st.dialog("Invoice", width="large", on_dismiss=_dismissed)
def invoice_detail_dialog(api: GraphQLClient, viewer: Viewer, key: str, invoice_id: str) -> None:
    try:
        invoice = fetch_invoice_detail(api, invoice_id)
    except NotFound:
        st.error(f"There is no invoice {invoice_id}: it may have been deleted.")
        st.button("Close", key=f"{key}.detail.close", on_click=close_detail)
        return
    scope = f"{key}.detail"
    show_flashes(scope)
    render_heading(invoice)
    render_actions(api, viewer, invoice, key)
    render_amounts(invoice)
    render_lines(invoice)
    render_credit_notes(invoice)
    render_payments(invoice)
    render_history(invoice)


def render_heading(invoice: InvoiceDetail) -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"### {invoice.display_number}")
        render_badges(invoice)
        if invoice.past_grace:
            st.badge(f"{invoice.days_overdue} days overdue · past grace", color="red")
        elif invoice.overdue:
            st.badge(f"{invoice.days_overdue} days overdue", color="orange")
    st.markdown(f"**{invoice.client.name}** · {invoice.client.email or 'no email address'}")
    start, end = format_date(invoice.period_start), format_date(invoice.period_end)
    period = f" · service period {start} to {end}" if invoice.period_start else ""
    st.caption(
        f"Issued {format_date(invoice.issued_on)} · due {format_date(invoice.due_on)} · "
        f"grace until {format_date(invoice.grace_until)}{period}"
    )


def render_actions(api: GraphQLClient, viewer: Viewer, invoice: Invoice, key: str) -> None:
    """View, PDF, Send, Void, Credit note and (in development) Delete, each disabled with the
    API's reason where the API refuses it."""
    allowed = invoice.actions
    scope = f"{key}.detail"
    with st.container(horizontal=True, gap="small"):
        st.link_button(
            "View",
            invoice.preview_url,
            icon=":material/open_in_new:",
            disabled=not allowed.view.allowed,
            help=allowed.view.reason or "Opens the invoice in a new tab.",
        )
        st.link_button(
            "PDF",
            invoice.pdf_url,
            icon=":material/picture_as_pdf:",
            disabled=not allowed.view.allowed,
            help=allowed.view.reason or "Downloads the invoice as a PDF/A-3 file (Factur-X).",
        )
        if action_button("Send", allowed.send, f"{scope}.send", SEND_HELP):
            send_now(api, invoice, scope)
        action_button(
            "Void",
            allowed.void,
            f"{scope}.void",
            VOID_HELP,
            on_click=_then,
            args=(ask_to_void, key, invoice),
        )
        action_button(
            "Credit note",
            allowed.credit,
            f"{scope}.credit",
            CREDIT_HELP,
            on_click=_then,
            args=(ask_to_credit, key, invoice),
        )
        if is_development(viewer):
            action_button(
                "Delete",
                allowed.delete,
                f"{scope}.delete",
                DELETE_HELP,
                on_click=_then,
                args=(ask_to_delete, key, invoice),
            )


def _then(ask: object, key: str, invoice: Invoice) -> None:
    """Close the detail, then ask for the action's own dialog."""
    close_detail()
    ask(key, invoice)  # type: ignore[operator]


def render_amounts(invoice: InvoiceDetail) -> None:
    subtotal, tax, total, balance = st.columns(4)
    subtotal.metric("Subtotal", format_money(invoice.subtotal, invoice.currency))
    tax.metric("Tax", format_money(invoice.tax_total, invoice.currency))
    total.metric("Total", format_money(invoice.total, invoice.currency))
    balance.metric("Balance", format_money(invoice.balance, invoice.currency))


def render_lines(invoice: InvoiceDetail) -> None:
    st.markdown("**Lines**")
    if not invoice.lines:
        st.caption("No lines.")
        return
    money = st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)
    st.dataframe(
        pd.DataFrame(
            {
                "Description": [line.description for line in invoice.lines],
                "Quantity": [line.quantity for line in invoice.lines],
                "Unit price": [line.unit_price for line in invoice.lines],
                "Net amount": [line.amount for line in invoice.lines],
                "Tax %": [line.tax_rate for line in invoice.lines],
            }
        ),
        hide_index=True,
        column_config={"Unit price": money, "Net amount": money},
        placeholder="—",
    )
    if invoice.taxes:
        st.markdown("**Taxes**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Rate %": [tax.rate for tax in invoice.taxes],
                    "Taxable": [tax.taxable for tax in invoice.taxes],
                    "Tax": [tax.tax for tax in invoice.taxes],
                }
            ),
            hide_index=True,
            column_config={"Taxable": money, "Tax": money},
        )


def render_credit_notes(invoice: InvoiceDetail) -> None:
    st.markdown("**Credit notes**")
    if not invoice.credit_notes:
        st.caption("None.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Number": [note.number for note in invoice.credit_notes],
                "Issued": [note.issued_on for note in invoice.credit_notes],
                "Reason": [note.reason for note in invoice.credit_notes],
                "Total": [note.total for note in invoice.credit_notes],
                "Settlement": [note.settlement.value.capitalize() for note in invoice.credit_notes],
                "PDF": [note.pdf_url for note in invoice.credit_notes],
            }
        ),
        hide_index=True,
        column_config={
            "Total": st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT),
            "PDF": st.column_config.LinkColumn(display_text="Download"),
        },
    )


def render_payments(invoice: InvoiceDetail) -> None:
    st.markdown("**Payments**")
    if not invoice.allocations:
        st.caption("None received.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Paid on": [payment.paid_on for payment in invoice.allocations],
                "Method": [payment.method for payment in invoice.allocations],
                "Amount": [payment.amount for payment in invoice.allocations],
            }
        ),
        hide_index=True,
        column_config={"Amount": st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)},
    )


def render_history(invoice: InvoiceDetail) -> None:
    """What the API tells of the invoice's delivery and life: emailed, voided, its run."""
    st.markdown("**History**")
    events = []
    if invoice.run is not None:
        events.append(f"Made by run #{invoice.run.id} of {format_date(invoice.run.billing_date)}.")
    if invoice.emailed_at is not None:
        events.append(f"Emailed {format_instant(invoice.emailed_at)}.")
    else:
        events.append("Not emailed yet.")
    if invoice.voided_at is not None:
        reason = f": {invoice.void_reason}" if invoice.void_reason else ""
        events.append(f"Voided {format_instant(invoice.voided_at)}{reason}.")
    for event in events:
        st.markdown(f"- {event}")
