"""Payments paged through the server, newest received first, with Reverse and Refund on each
row (each through a confirmation dialog) for those who may edit billing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import streamlit as st

from dashboard.api import GraphQLClient, fetch_payment_page, refund_payment, reverse_payment
from dashboard.components.confirmation import dialog_confirmed
from dashboard.components.flash import flash, show_flashes
from dashboard.components.pager import CursorPager
from dashboard.components.record_payment import METHOD_LABELS
from dashboard.formatting import format_date, format_money
from dashboard.layout import INVOICE_LIST_CLASS
from dashboard.models import Payment, PaymentPage, PaymentStatus, Viewer, can_edit

# Laid out as the invoice list's columns: the layout keeps columns 1, 3, 4 and 5 on one line
# (dashboard.layout); a reversed payment says so where its actions would be.
COLUMN_WIDTHS = (1.3, 1.5, 1.3, 1.5, 1.2, 1.4, 1.9)
COLUMN_GAP = "xsmall"
HEADINGS = (
    "Received",
    "Client",
    "Amount",
    "Method",
    "Reference",
    "Unallocated",
    "Actions",
)
EMPTY = "No payments match."


def render_payment_list(
    api: GraphQLClient,
    viewer: Viewer,
    *,
    key: str,
    criteria: Mapping[str, Any] | None = None,
    page_size: int = 25,
) -> PaymentPage:
    """The payments matching `criteria` (a PaymentFilter), one server page at a time."""
    show_flashes(key)
    open_dialogs(api, key)
    criteria = {name: value for name, value in dict(criteria or {}).items() if value}
    pager = CursorPager(f"{key}.pager", tuple(sorted(criteria.items())), page_size)
    page = fetch_payment_page(api, criteria=criteria, first=page_size, after=pager.after)
    if not page.edges and pager.page_index == 0:
        st.info(EMPTY)
        return page
    with st.container(key=f"{INVOICE_LIST_CLASS}-{key}"):
        for column, heading in zip(
            st.columns(COLUMN_WIDTHS, gap=COLUMN_GAP), HEADINGS, strict=True
        ):
            column.markdown(f"**{heading}**")
        for edge in page.edges:
            render_row(edge.node, key, editable=can_edit(viewer))
    pager.controls(page, noun="payments")
    return page


def render_row(payment: Payment, key: str, *, editable: bool) -> None:
    with st.container(key=f"{key}-payment-{payment.id}"):
        received, client, amount, method, reference, unallocated, actions = st.columns(
            COLUMN_WIDTHS, gap=COLUMN_GAP, vertical_alignment="center"
        )
        received.markdown(format_date(payment.received_on))
        client.markdown(payment.client.name)
        amount.markdown(format_money(payment.amount, payment.currency))
        method.markdown(METHOD_LABELS[payment.method])
        reference.markdown(payment.reference or "—")
        unallocated.markdown(format_money(payment.unallocated, payment.currency))
        if payment.status == PaymentStatus.REVERSED:
            actions.markdown("Reversed")
            return
        with actions, st.container(horizontal=True, gap="small"):
            st.button(
                "Reverse",
                key=f"{key}-reverse-{payment.id}",
                type="tertiary",
                disabled=not editable,
                help="Undo a bounced payment: its invoices owe again.",
                on_click=_ask,
                args=(key, "reverse", payment),
            )
            st.button(
                "Refund",
                key=f"{key}-refund-{payment.id}",
                type="tertiary",
                disabled=not (editable and payment.unallocated > 0),
                help="Pay back part of what no invoice took.",
                on_click=_ask,
                args=(key, "refund", payment),
            )


def _ask(scope: str, action: str, payment: Payment) -> None:
    st.session_state[_target_key(scope, action)] = payment
    st.session_state[f"{scope}.refund.idempotency_key"] = str(uuid.uuid4())


def _target_key(scope: str, action: str) -> str:
    return f"{scope}.{action}_payment"


def close_dialogs(scope: str) -> None:
    for action in ("reverse", "refund"):
        st.session_state.pop(_target_key(scope, action), None)


def _dismissed() -> None:
    for key in [key for key in st.session_state if str(key).endswith("_payment")]:
        del st.session_state[key]


def open_dialogs(api: GraphQLClient, scope: str) -> None:
    if payment := st.session_state.get(_target_key(scope, "reverse")):
        reverse_dialog(api, scope, payment)
    elif payment := st.session_state.get(_target_key(scope, "refund")):
        refund_dialog(api, scope, payment)


def describe(payment: Payment) -> str:
    reference = f" ({payment.reference})" if payment.reference else ""
    return (
        f"**{format_money(payment.amount, payment.currency)}** from {payment.client.name} "
        f"received {format_date(payment.received_on)}{reference}"
    )


@st.dialog("Reverse payment", on_dismiss=_dismissed)
def reverse_dialog(api: GraphQLClient, scope: str, payment: Payment) -> None:
    paid = ", ".join(a.invoice.display_number for a in payment.allocations) or "no invoice"
    st.markdown(f"Reverse {describe(payment)}. The invoices it paid ({paid}) will owe it again.")
    reason = st.text_input("Reason (required)", key=f"{scope}.reverse.reason", max_chars=1000)
    if not dialog_confirmed("Reverse payment", f"{scope}.reverse", lambda: close_dialogs(scope)):
        return
    if not reason.strip():
        st.error("Give a reason, e.g. “Cheque bounced”.")
        return
    result = reverse_payment(api, payment.id, reason=reason.strip())
    if result.ok:
        flash(scope, "success", f"The payment of {payment.client.name} was reversed.")
    else:
        flash(scope, "error", f"The payment was not reversed: {result.message}")
    close_dialogs(scope)
    st.rerun()


@st.dialog("Refund payment", on_dismiss=_dismissed)
def refund_dialog(api: GraphQLClient, scope: str, payment: Payment) -> None:
    st.markdown(
        f"Pay back part of {describe(payment)}: at most "
        f"{format_money(payment.unallocated, payment.currency)}, what no invoice took."
    )
    text = st.text_input(
        f"Amount ({payment.currency})",
        value=f"{payment.unallocated:f}",
        key=f"{scope}.refund.amount.{payment.id}",
    )
    if not dialog_confirmed("Refund", f"{scope}.refund", lambda: close_dialogs(scope)):
        return
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        st.error(f"“{text}” is not an amount.")
        return
    result = refund_payment(
        api,
        payment.id,
        amount=amount,
        idempotency_key=st.session_state[f"{scope}.refund.idempotency_key"],
    )
    if result.ok:
        flash(
            scope,
            "success",
            f"{format_money(amount, payment.currency)} was paid back to {payment.client.name}.",
        )
        close_dialogs(scope)
        st.rerun()
    st.error(f"Nothing was paid back: {result.message}")
