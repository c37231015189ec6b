"""Collections: the invoices past due with the reminders they got, and the blocked clients, with
"Send reminder" and "Unblock"."""

from __future__ import annotations

import uuid

import streamlit as st

from dashboard.api import fetch_collections, send_reminder, set_client_blocked
from dashboard.components.aging import render_aging_report
from dashboard.components.flash import flash, show_flashes
from dashboard.formatting import format_date, format_instant, format_money
from dashboard.models import Client, OverdueInvoice, blocked_label, can_edit
from dashboard.navigation import page_connection

SCOPE = "collections"

connection = page_connection()
api, viewer = connection.api, connection.viewer
editable = can_edit(viewer)


def reminders_text(invoice: OverdueInvoice) -> str:
    if not invoice.reminders:
        return "No reminder sent"
    last = invoice.reminders[-1]
    levels = ", ".join(str(reminder.level) for reminder in invoice.reminders)
    return f"Reminders sent: {levels} (last {format_instant(last.sent_at)})"


def remind(invoice: OverdueInvoice) -> None:
    # One key per click: a rerun of the same click never emails twice.
    key = st.session_state.setdefault(f"{SCOPE}-remind-key-{invoice.id}", str(uuid.uuid4()))
    result = send_reminder(api, invoice.id, key)
    del st.session_state[f"{SCOPE}-remind-key-{invoice.id}"]
    if result.ok:
        flash(SCOPE, "success", f"Reminder emailed for invoice {invoice.display_number}.")
    else:
        flash(SCOPE, "error", result.message)


def unblock(client: Client) -> None:
    result = set_client_blocked(api, client.id, False)
    if result.ok:
        flash(SCOPE, "success", f"{client.name} is unblocked.")
    else:
        flash(SCOPE, "error", result.message)


def overdue_row(invoice: OverdueInvoice) -> None:
    with st.container(border=True, key=f"{SCOPE}-invoice-{invoice.id}"):
        number, client, due, balance, action = st.columns([2, 3, 2, 2, 2])
        number.markdown(f"**{invoice.display_number}**")
        name = invoice.client.name
        if invoice.client.blocked:
            name += f" · {blocked_label(invoice.client.blocked_reason)}"
        client.write(name)
        due.write(f"Due {format_date(invoice.due_on)}")
        balance.write(format_money(invoice.balance, invoice.currency))
        state = invoice.actions.remind
        action.button(
            "Send reminder",
            key=f"{SCOPE}-remind-{invoice.id}",
            disabled=not (editable and state.allowed),
            help=state.reason,
            on_click=remind,
            args=(invoice,),
        )
        st.caption(reminders_text(invoice))


def blocked_row(client: Client) -> None:
    with st.container(border=True, key=f"{SCOPE}-client-{client.id}"):
        name, reason, action = st.columns([4, 4, 2])
        name.markdown(f"**{client.name}** ({client.status.value})")
        reason.write(blocked_label(client.blocked_reason))
        action.button(
            "Unblock",
            key=f"{SCOPE}-unblock-{client.id}",
            disabled=not editable,
            help=None if editable else "Needs the billing.edit permission.",
            on_click=unblock,
            args=(client,),
        )


st.title("Collections")
show_flashes(SCOPE)
overdue, blocked = fetch_collections(api)
st.subheader("Overdue invoices")
if not overdue:
    st.info("No invoice is past its due date.")
for invoice in overdue:
    overdue_row(invoice)
st.subheader("Blocked clients")
if not blocked:
    st.info("No client is blocked.")
for client in blocked:
    blocked_row(client)
render_aging_report(api)
