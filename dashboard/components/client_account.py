"""A client's services and pending one-time charges: what its next runs will bill."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.api import ApiError, GraphQLClient, fetch_client_account
from dashboard.formatting import MONEY_COLUMN_FORMAT, money_heading
from dashboard.models import Client, ClientService, PendingCharge

MONEY = st.column_config.NumberColumn(format=MONEY_COLUMN_FORMAT)


def render_services_and_charges(api: GraphQLClient, client: Client, currency: str) -> None:
    """Two tables, amounts in the tenant's `currency`; a warning in their place where the API
    cannot list them (an API older than `Client.services`), so that the rest of the page still
    shows."""
    try:
        account = fetch_client_account(api, client.id)
    except ApiError as error:
        st.warning(f"The client's services and pending charges cannot be shown. {error}")
        return
    services, charges = st.columns([3, 2])
    with services:
        st.subheader("Services")
        render_services(account.services, currency)
    with charges:
        st.subheader("Pending charges")
        render_pending_charges(account.pending_charges, currency)


def render_services(services: list[ClientService], currency: str) -> None:
    price = money_heading("Price", currency)
    columns = {
        "Service": [service.description for service in services],
        "Period": [service.period.value.capitalize() for service in services],
        price: [service.price for service in services],
        "Quantity": [service.quantity for service in services],
        "Next bill date": [service.next_bill_date for service in services],
        "Status": [service.status.value.capitalize() for service in services],
        "Billable": [service.billable for service in services],
    }
    render_money_table(columns, money_column=price, when_empty="No services.")


def render_pending_charges(charges: list[PendingCharge], currency: str) -> None:
    amount = money_heading("Amount", currency)
    columns = {
        "Charge": [charge.description for charge in charges],
        amount: [charge.amount for charge in charges],
        "Scheduled on": [charge.scheduled_on for charge in charges],
    }
    render_money_table(columns, money_column=amount, when_empty="No pending charges.")


def render_money_table(
    columns: dict[str, list[Any]], *, money_column: str, when_empty: str
) -> None:
    """The records' columns as a table, `money_column` in accounting format; `when_empty` in
    its place where there are no records."""
    if not columns[money_column]:
        st.caption(when_empty)
        return
    st.dataframe(pd.DataFrame(columns), hide_index=True, column_config={money_column: MONEY})
