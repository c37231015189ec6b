"""The "Record payment" dialog: client, amount, day received, method, reference, and the invoices
the money goes to (none chosen: the client's open invoices, oldest due first).

`ask_to_record_payment` opens it for a client (and, from an invoice's row, that invoice); each
opening keeps one idempotency key, so that a second click of its button records no second
payment. `open_record_payment_dialog` shows it while it is open: call it once per page run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import streamlit as st

from dashboard.api import GraphQLClient, fetch_invoice_page, record_payment
from dashboard.components.client_picker import render_client_picker
from dashboard.components.confirmation import dialog_confirmed
from dashboard.components.flash import flash
from dashboard.formatting import format_date, format_money
from dashboard.models import Invoice, PaymentMethod

METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: "Bank transfer",
    PaymentMethod.CASH: "Cash",
    PaymentMethod.CHEQUE: "Cheque",
    PaymentMethod.CARD: "Card",
    PaymentMethod.DIRECT_DEBIT: "Direct debit",
    PaymentMethod.OTHER: "Other",
}
# The server takes at most this many named invoices, and lists at most this many at once.
MAX_OPEN_INVOICES = 100
OPEN_STATUSES = ["UNPAID", "PARTIAL"]


@dataclass(frozen=True, slots=True)
class PaymentTarget:
    """Whom the dialog records a payment for: a client (None: chosen in the dialog) and the
    invoices chosen at first."""

    client_id: str | None
    client_name: str | None
    invoice_ids: tuple[str, ...] = ()


class UnreadableAmount(ValueError):
    """An amount that is not a number above zero; the text says why."""


def ask_to_record_payment(scope: str, target: PaymentTarget) -> None:
    """Open the dialog (on the next run of `open_record_payment_dialog`) with a new key."""
    st.session_state[_target_key(scope)] = target
    st.session_state[_idempotency_key(scope)] = str(uuid.uuid4())


def open_record_payment_dialog(api: GraphQLClient, scope: str, currency: str) -> None:
    if target := st.session_state.get(_target_key(scope)):
        record_payment_dialog(api, scope, target, currency)


def close_record_payment_dialog(scope: str) -> None:
    st.session_state.pop(_target_key(scope), None)


def _target_key(scope: str) -> str:
    return f"{scope}.record_payment_target"


def _idempotency_key(scope: str) -> str:
    return f"{scope}.record_payment.idempotency_key"


def _dismissed() -> None:
    for key in [key for key in st.session_state if str(key).endswith(".record_payment_target")]:
        del st.session_state[key]


def amount_of(text: str) -> Decimal:
    """The amount typed ('1,250.00' reads as 1250.00)."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation as error:
        raise UnreadableAmount(f"“{text}” is not an amount.") from error
    if not amount.is_finite() or amount <= 0:
        raise UnreadableAmount("The amount must be above zero.")
    return amount


def open_invoices(api: GraphQLClient, client_id: str) -> list[Invoice]:
    """The client's invoices that still owe something, as the list shows them."""
    criteria = {"clientId": client_id, "statuses": OPEN_STATUSES}
    page = fetch_invoice_page(api, criteria=criteria, first=MAX_OPEN_INVOICES)
    return [edge.node for edge in page.edges]


def invoice_label(invoice: Invoice) -> str:
    return (
        f"{invoice.display_number} · due {format_date(invoice.due_on)} · "
        f"owes {format_money(invoice.balance, invoice.currency)}"
    )


@st.dialog("Record payment", on_dismiss=_dismissed, width="large")
def record_payment_dialog(
    api: GraphQLClient, scope: str, target: PaymentTarget, currency: str
) -> None:
    key = f"{scope}.record_payment"
    client_id, client_name = target.client_id, target.client_name
    if client_id is None:
        chosen = render_client_picker(api, key=key, label="Client", none_label="Choose a client")
        client_id, client_name = (chosen.id, chosen.name) if chosen else (None, None)
    else:
        st.markdown(f"Money received from **{client_name}**.")
    amount_text = st.text_input(f"Amount ({currency})", key=f"{key}.amount")
    received_on = st.date_input("Received on", value=date.today(), key=f"{key}.received_on")
    method = st.selectbox(
        "Method", list(METHOD_LABELS), format_func=METHOD_LABELS.get, key=f"{key}.method"
    )
    reference = st.text_input(
        "Reference",
        key=f"{key}.reference",
        max_chars=255,
        help="A cheque number, a transfer's text.",
    )
    invoices = open_invoices(api, client_id) if client_id else []
    by_id = {invoice.id: invoice for invoice in invoices}
    chosen_ids = st.multiselect(
        "Invoices, in the order they are paid",
        list(by_id),
        default=[invoice_id for invoice_id in target.invoice_ids if invoice_id in by_id],
        format_func=lambda invoice_id: invoice_label(by_id[invoice_id]),
        key=f"{key}.invoices",
        help="None chosen: the client's open invoices, oldest due date first. What is left over "
        "becomes the client's credit balance.",
    )
    if not dialog_confirmed("Record payment", key, lambda: close_record_payment_dialog(scope)):
        return
    if client_id is None:
        st.error("Choose the client who paid.")
        return
    try:
        amount = amount_of(amount_text)
    except UnreadableAmount as problem:
        st.error(str(problem))
        return
    result = record_payment(
        api,
        client_id,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference.strip() or None,
        invoice_ids=chosen_ids or None,
        idempotency_key=st.session_state[_idempotency_key(scope)],
    )
    if not result.ok:
        st.error(f"No payment was recorded: {result.message}")
        return
    payment = result.value
    assert payment is not None
    credit = (
        f" {format_money(payment.unallocated, payment.currency)} is kept as credit."
        if payment.unallocated
        else ""
    )
    flash(
        scope,
        "success",
        f"A payment of {format_money(payment.amount, payment.currency)} from {client_name} was "
        f"recorded.{credit}",
    )
    close_record_payment_dialog(scope)
    st.rerun()
