"""The row actions of an invoice list: send at once; void, credit note and delete through a
dialog.

Void, credit note and delete remember their target in the session so that their dialog stays open
across the reruns its own widgets cause; the outcome is kept as a message and the page reruns to
show it. A credit note dialog also keeps one idempotency key per opening, so that a second click
of its button issues no second credit note.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import streamlit as st

from dashboard.api import GraphQLClient, delete_invoice, send_invoice, void_invoice
from dashboard.components.confirmation import dialog_confirmed
from dashboard.components.credit_note_dialog import render_credit_note_form
from dashboard.components.flash import flash
from dashboard.formatting import format_money
from dashboard.models import Invoice

ACTIONS_WITH_DIALOG = ("void", "credit", "delete")


def send_now(api: GraphQLClient, invoice: Invoice, scope: str) -> None:
    """Email the invoice, keep the outcome as a message, and rerun the page."""
    result = send_invoice(api, invoice.id)
    if result.ok:
        recipient = invoice.client.email or invoice.client.name
        flash(scope, "success", f"Invoice {invoice.display_number} was emailed to {recipient}.")
    else:
        flash(scope, "error", f"Invoice {invoice.display_number} was not sent: {result.message}")
    st.rerun()


def ask_to_void(scope: str, invoice: Invoice) -> None:
    st.session_state[_target_key(scope, "void")] = invoice


def ask_to_delete(scope: str, invoice: Invoice) -> None:
    st.session_state[_target_key(scope, "delete")] = invoice


def ask_to_credit(scope: str, invoice: Invoice) -> None:
    """Open the credit note dialog with a new idempotency key."""
    st.session_state[_target_key(scope, "credit")] = invoice
    st.session_state[credit_key_key(scope)] = str(uuid.uuid4())


def open_dialogs(api: GraphQLClient, scope: str) -> None:
    """Show the void, credit note or delete dialog a row asked for, if any."""
    if invoice := st.session_state.get(_target_key(scope, "void")):
        void_dialog(api, scope, invoice)
    elif invoice := st.session_state.get(_target_key(scope, "credit")):
        credit_dialog(api, scope, invoice)
    elif invoice := st.session_state.get(_target_key(scope, "delete")):
        delete_dialog(api, scope, invoice)


def close_dialogs(scope: str) -> None:
    for action in ACTIONS_WITH_DIALOG:
        st.session_state.pop(_target_key(scope, action), None)


def credit_key_key(scope: str) -> str:
    """Where the idempotency key of the open credit note dialog is kept."""
    return f"{scope}.credit.idempotency_key"


def _target_key(scope: str, action: str) -> str:
    return f"{scope}.{action}_target"


def _dismissed() -> None:
    """Closing a dialog with its cross forgets every target (which list it was is unknown)."""
    for key in [key for key in st.session_state if str(key).endswith("_target")]:
        del st.session_state[key]


@st.dialog("Void invoice", on_dismiss=_dismissed)
def void_dialog(api: GraphQLClient, scope: str, invoice: Invoice) -> None:
    st.markdown(
        f"Void **{invoice.display_number}** of {invoice.client.name} "
        f"({format_money(invoice.total, invoice.currency)}). "
        f"Its balance becomes {format_money(Decimal(0), invoice.currency)}."
    )
    reset = st.checkbox(
        "Reset service billing schedule",
        key=f"{scope}.void.reset.{invoice.id}",
        help="Moves the services' billing schedule back to this invoice's period and puts its "
        "one-time charges back to pending, so the next run issues them again.",
    )
    reason = st.text_input("Reason", key=f"{scope}.void.reason.{invoice.id}", max_chars=500)
    if dialog_confirmed("Void invoice", f"{scope}.void", lambda: close_dialogs(scope)):
        result = void_invoice(
            api, invoice.id, reset_service_schedule=reset, reason=reason.strip() or None
        )
        if result.ok:
            again = (
                " Its services and charges will be billed again by the next run." if reset else ""
            )
            flash(scope, "success", f"Invoice {invoice.display_number} is void.{again}")
        else:
            flash(
                scope, "error", f"Invoice {invoice.display_number} was not voided: {result.message}"
            )
        close_dialogs(scope)
        st.rerun()


@st.dialog("Credit note", on_dismiss=_dismissed, width="large")
def credit_dialog(api: GraphQLClient, scope: str, invoice: Invoice) -> None:
    issued = render_credit_note_form(
        api,
        invoice,
        key=f"{scope}.credit",
        idempotency_key=st.session_state[credit_key_key(scope)],
        forget_dialog=lambda: close_dialogs(scope),
    )
    if issued is not None:
        flash(
            scope,
            "success",
            f"Credit note {issued.number} was issued for invoice {invoice.display_number} "
            f"({format_money(issued.total, invoice.currency)}).",
        )
        close_dialogs(scope)
        st.rerun()


@st.dialog("Delete invoice", on_dismiss=_dismissed)
def delete_dialog(api: GraphQLClient, scope: str, invoice: Invoice) -> None:
    st.markdown(
        f"Delete **{invoice.display_number}** of {invoice.client.name} for good, with its lines "
        "and payment allocations? This cannot be undone."
    )
    if dialog_confirmed("Delete invoice", f"{scope}.delete", lambda: close_dialogs(scope)):
        result = delete_invoice(api, invoice.id)
        if result.ok:
            flash(scope, "success", f"Invoice {invoice.display_number} was deleted.")
        else:
            flash(
                scope,
                "error",
                f"Invoice {invoice.display_number} was not deleted: {result.message}",
            )
        close_dialogs(scope)
        st.rerun()
