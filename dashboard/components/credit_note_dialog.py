"""The inside of the credit note dialog: what to credit (the whole invoice, or an amount per
line), why, how it is settled, and whether the credited periods are billed again."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import streamlit as st

from dashboard.api import GraphQLClient, fetch_creditable_invoice, issue_credit_note
from dashboard.components.confirmation import dialog_confirmed
from dashboard.formatting import format_date, format_money
from dashboard.models import (
    CreditableInvoice,
    CreditNote,
    CreditNoteSettlement,
    Invoice,
    InvoiceLine,
)

SETTLEMENTS = {
    CreditNoteSettlement.OFFSET: (
        "Offset",
        "Takes the amount off the invoice's balance (at most that balance).",
    ),
    CreditNoteSettlement.CREDIT: (
        "Credit balance",
        "Adds the amount to the client's credit balance, for their next invoices.",
    ),
    CreditNoteSettlement.REFUND: (
        "Refund",
        "Pays the amount back to the client (through Stripe where the invoice was paid by card).",
    ),
}
WHOLE_INVOICE = "The whole invoice"
CHOSEN_LINES = "Chosen lines"
RESET_HELP = (
    "The credited service periods and one-time charges are billed again by the next run. "
    "Each credited line must then be credited in full."
)


class UnreadableAmount(ValueError):
    """A line's amount that is not a number; the text says which."""


def render_credit_note_form(
    api: GraphQLClient,
    invoice: Invoice,
    *,
    key: str,
    idempotency_key: str,
    forget_dialog: Callable[[], None],
) -> CreditNote | None:
    """The dialog's fields and buttons; the credit note once the API has issued it, else None
    (a refusal is shown in the dialog)."""
    creditable = fetch_creditable_invoice(api, invoice.id)
    currency = creditable.currency
    st.markdown(
        f"Credit **{creditable.display_number}** of {invoice.client.name}: total "
        f"{format_money(creditable.total, currency)}, credited so far "
        f"{format_money(creditable.credited, currency)}, balance "
        f"{format_money(creditable.balance, currency)}."
    )
    scope = st.radio(
        "Credit", [WHOLE_INVOICE, CHOSEN_LINES], key=f"{key}.scope.{invoice.id}", horizontal=True
    )
    amounts = line_amount_fields(creditable, key, enabled=scope == CHOSEN_LINES)
    reason = st.text_input(
        "Reason (required)",
        key=f"{key}.reason.{invoice.id}",
        max_chars=1000,
        help="Printed on the credit note.",
    )
    settlement = st.radio(
        "Settlement",
        list(SETTLEMENTS),
        key=f"{key}.settlement.{invoice.id}",
        format_func=lambda choice: SETTLEMENTS[choice][0],
        captions=[sentence for _, sentence in SETTLEMENTS.values()],
    )
    reset = st.checkbox(
        "Reset service billing schedule", key=f"{key}.reset.{invoice.id}", help=RESET_HELP
    )
    if not dialog_confirmed("Issue credit note", key, forget_dialog):
        return None
    if not reason.strip():
        st.error("Give a reason: it is printed on the credit note.")
        return None
    try:
        line_amounts = None if scope == WHOLE_INVOICE else amounts_to_credit(creditable, amounts)
    except UnreadableAmount as problem:
        st.error(str(problem))
        return None
    if line_amounts == {}:
        st.error("Give an amount above zero for at least one line.")
        return None
    result = issue_credit_note(
        api,
        invoice.id,
        reason=reason.strip(),
        line_amounts=line_amounts,
        settlement=settlement,
        reset_service_schedule=reset,
        idempotency_key=idempotency_key,
    )
    if not result.ok:
        st.error(f"No credit note was issued: {result.message}")
        return None
    return result.value


def line_amount_fields(creditable: CreditableInvoice, key: str, *, enabled: bool) -> dict[str, str]:
    """One field per invoice line with the net amount to credit (the whole line at first), by
    line id."""
    amounts: dict[str, str] = {}
    for line in creditable.lines:
        described, amount = st.columns([3, 1], vertical_alignment="bottom")
        described.markdown(f"{line_label(line)} · {format_money(line.amount, creditable.currency)}")
        amounts[line.id] = amount.text_input(
            f"Credit ({creditable.currency})",
            value=f"{line.amount:f}",
            key=f"{key}.line.{creditable.id}.{line.id}",
            disabled=not enabled,
        )
    return amounts


def line_label(line: InvoiceLine) -> str:
    """'Fiber 500 (2026-11-01 – 2026-11-30)': the line and the period it bills, where it does."""
    if line.period_start is None:
        return line.description
    return f"{line.description} ({format_date(line.period_start)} – {format_date(line.period_end)})"


def amounts_to_credit(creditable: CreditableInvoice, typed: dict[str, str]) -> dict[str, Decimal]:
    """The lines with an amount above zero to credit, by line id; empty fields credit nothing."""
    chosen: dict[str, Decimal] = {}
    for line in creditable.lines:
        text = typed[line.id].strip().replace(",", "")
        if not text:
            continue
        try:
            amount = Decimal(text)
        except InvalidOperation as error:
            raise UnreadableAmount(
                f"“{typed[line.id]}” for {line.description} is not an amount."
            ) from error
        if not amount.is_finite():
            raise UnreadableAmount(f"“{typed[line.id]}” for {line.description} is not an amount.")
        if amount > 0:
            chosen[line.id] = amount
    return chosen
