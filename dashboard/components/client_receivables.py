"""A client's receivables on its billing page: credit balance and balance due, Apply credit and
Record payment, its payments, and its statement between two dates with a CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.api import GraphQLClient, apply_credit, fetch_client_receivables
from dashboard.components.flash import flash, show_flashes
from dashboard.components.payment_list import render_payment_list
from dashboard.components.record_payment import (
    PaymentTarget,
    ask_to_record_payment,
    open_record_payment_dialog,
)
from dashboard.formatting import MONEY_COLUMN_FORMAT, format_date, format_money, money_heading
from dashboard.models import Client, Statement, StatementEntryKind, Viewer, can_edit

KIND_LABELS = {
    StatementEntryKind.INVOICE: "Invoice",
    StatementEntryKind.PAYMENT: "Payment",
    StatementEntryKind.CREDIT_NOTE: "Credit note",
    StatementEntryKind.REFUND: "Refund",
    StatementEntryKind.REVERSAL: "Reversal",
}
CSV_COLUMNS = ("Date", "Kind", "Reference", "Debit", "Credit", "Balance")
MONEY = st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)


def render_client_receivables(api: GraphQLClient, viewer: Viewer, client: Client) -> None:
    scope = f"client-{client.id}-receivables"
    show_flashes(scope)
    open_record_payment_dialog(api, scope, viewer.currency)
    start, end = statement_period(scope)
    balances, statement = fetch_client_receivables(api, client.id, start=start, end=end)
    currency = viewer.currency
    credit_card, due_card, buttons = st.columns([1, 1, 2], vertical_alignment="bottom")
    credit_card.metric("Credit balance", format_money(balances.credit_balance, currency))
    due_card.metric("Balance due", format_money(balances.balance_due, currency))
    editable = can_edit(viewer)
    with buttons, st.container(horizontal=True):
        if st.button(
            "Record payment",
            key=f"{scope}.record",
            disabled=not editable,
            icon=":material/payments:",
        ):
            ask_to_record_payment(scope, PaymentTarget(client.id, client.name))
            st.rerun()
        if st.button(
            "Apply credit",
            key=f"{scope}.apply_credit",
            disabled=not (editable and balances.credit_balance > 0 and balances.balance_due > 0),
            help="Pay the client's open invoices, oldest due first, from its credit balance.",
        ):
            credit_applied(api, scope, client, currency, balances.credit_balance)
    st.subheader("Payments")
    render_payment_list(
        api, viewer, key=f"client-{client.id}-payments", criteria={"clientId": client.id}
    )
    st.subheader("Statement")
    render_statement(statement, currency, file_name=f"statement-{client.id}.csv")


def credit_applied(
    api: GraphQLClient, scope: str, client: Client, currency: str, credit_before
) -> None:
    result = apply_credit(api, client.id)
    if result.ok and result.value is not None:
        applied = credit_before - result.value.credit_balance
        flash(
            scope,
            "success",
            f"{format_money(applied, currency)} of credit was applied to {client.name}'s invoices.",
        )
    else:
        flash(scope, "error", f"No credit was applied: {result.message}")
    st.rerun()


def statement_period(scope: str) -> tuple[date | None, date | None]:
    """From and To as chosen (empty: open-ended)."""
    start_column, end_column = st.columns(2)
    start = start_column.date_input("From", value=None, key=f"{scope}.from")
    end = end_column.date_input("To", value=None, key=f"{scope}.to")
    if start and end and end < start:
        st.warning("To is before From: showing the statement from From on.")
        return start, None
    return start, end


def render_statement(statement: Statement, currency: str, *, file_name: str) -> None:
    st.caption(
        f"Opening balance {format_money(statement.opening_balance, currency)} · closing balance "
        f"{format_money(statement.closing_balance, currency)} (positive: the client owes; "
        "negative: the client is in credit)."
    )
    if not statement.entries:
        st.caption("Nothing in this period.")
    else:
        debit, credit, balance = (
            money_heading(n, currency) for n in ("Debit", "Credit", "Balance")
        )
        table = pd.DataFrame(
            {
                "Date": [entry.date for entry in statement.entries],
                "Kind": [KIND_LABELS[entry.kind] for entry in statement.entries],
                "Reference": [entry.reference or "" for entry in statement.entries],
                debit: [entry.debit for entry in statement.entries],
                credit: [entry.credit for entry in statement.entries],
                balance: [entry.balance for entry in statement.entries],
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            column_config={debit: MONEY, credit: MONEY, balance: MONEY},
        )
    st.download_button(
        "Export statement (CSV)",
        data=statement_csv(statement),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


def statement_csv(statement: Statement) -> str:
    """The statement as CSV, amounts exactly as the API gives them, with opening and closing
    rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        (
            format_date(statement.from_),
            "Opening balance",
            "",
            "",
            "",
            f"{statement.opening_balance}",
        )
    )
    for entry in statement.entries:
        writer.writerow(
            (
                format_date(entry.date),
                KIND_LABELS[entry.kind],
                entry.reference or "",
                f"{entry.debit}",
                f"{entry.credit}",
                f"{entry.balance}",
            )
        )
    writer.writerow(
        (format_date(statement.to), "Closing balance", "", "", "", f"{statement.closing_balance}")
    )
    return buffer.getvalue()
