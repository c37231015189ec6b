"""The Client billing page against the real API: the client from `?client_id=`, its invoices,
and a run for that client alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import invoice_ids, messages, start_confirmed_run
from tests.dashboard.tenants import CLIENT_RUN, DEMO_EDITOR_TOKEN, DUE_CLIENT_NAME

PAGE = "pages/client_billing.py"

CLIENT_INVOICES = """
query ($clientId: ID!) {
  invoices(filter: {clientId: $clientId}, first: 200) { edges { node { id } } }
}
"""

RUNS = """
{ invoiceRuns(first: 1) { edges { node {
  id status client { id }
  invoices(first: 200) { edges { node { client { id name } } } }
} } } }
"""


def find_client(api: RunningApi, token: str, name: str) -> dict:
    [client] = api.graphql(
        token, "query ($s: String) { clients(search: $s) { id name status } }", {"s": name}
    )["clients"]
    return client


def test_page_shows_the_client_of_the_address_and_its_invoices(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = api_server.graphql(
        DEMO_EDITOR_TOKEN, "{ invoices(first: 1) { edges { node { client { id name } } } } }"
    )["invoices"]["edges"][0]["node"]
    client = invoice["client"]
    expected = [
        edge["node"]["id"]
        for edge in api_server.graphql(
            DEMO_EDITOR_TOKEN, CLIENT_INVOICES, {"clientId": client["id"]}
        )["invoices"]["edges"]
    ]

    app = open_dashboard(DEMO_EDITOR_TOKEN, PAGE, query={"client_id": client["id"]})

    assert not app.exception
    assert [title.value for title in app.title] == [client["name"]]
    assert invoice_ids(app, f"client-{client['id']}-invoices") == expected


def test_run_for_the_client_bills_that_client_alone(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    token = CLIENT_RUN.editor_token
    client = find_client(api_server, token, DUE_CLIENT_NAME)
    app = open_dashboard(token, PAGE, query={"client_id": client["id"]})

    start_confirmed_run(app, f"client-{client['id']}-run")

    assert not app.exception
    run = api_server.graphql(token, RUNS)["invoiceRuns"]["edges"][0]["node"]
    assert run["status"] == "COMPLETED"
    assert run["client"]["id"] == client["id"]
    billed = [edge["node"]["client"]["id"] for edge in run["invoices"]["edges"]]
    assert billed == [client["id"]]
    assert list(table_with_column(app, "Number")["Client"]) == [DUE_CLIENT_NAME]
    assert app.get("progress")[0].value == 100


def test_page_without_a_client_offers_a_picker_that_opens_one(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client = find_client(api_server, CLIENT_RUN.editor_token, DUE_CLIENT_NAME)
    app = open_dashboard(CLIENT_RUN.editor_token, PAGE)
    assert [title.value for title in app.title] == ["Client billing"]

    app.text_input(key="client_billing.client_search").input("Dana").run()
    app.selectbox(key="client_billing.client").select(client["id"]).run()

    assert app.query_params["client_id"] == client["id"]
    assert [title.value for title in app.title] == [DUE_CLIENT_NAME]


def test_unknown_client_is_reported_in_words(open_dashboard: OpenDashboard):
    app = open_dashboard(DEMO_EDITOR_TOKEN, PAGE, query={"client_id": "999999"})

    assert not app.exception
    assert messages(app, "error") == ["Northwind Fiber has no client with id 999999."]


def test_services_and_pending_charges_are_shown_as_the_api_lists_them(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client = find_client(api_server, CLIENT_RUN.editor_token, DUE_CLIENT_NAME)
    account = api_server.graphql(
        CLIENT_RUN.editor_token,
        """query ($id: ID) { invoiceRunPlan(clientId: $id) { client {
             services { description price nextBillDate }
             pendingCharges { description amount }
           } } }""",
        {"id": client["id"]},
    )["invoiceRunPlan"]["client"]

    app = open_dashboard(CLIENT_RUN.editor_token, PAGE, query={"client_id": client["id"]})

    services = table_with_column(app, "Service")[["Service", "Price (USD)", "Next bill date"]]
    assert [tuple(row) for row in services.itertuples(index=False)] == [
        (
            service["description"],
            Decimal(service["price"]),
            date.fromisoformat(service["nextBillDate"]),
        )
        for service in account["services"]
    ]
    if account["pendingCharges"]:
        charges = table_with_column(app, "Charge")
        assert list(charges["Charge"]) == [c["description"] for c in account["pendingCharges"]]
    else:
        assert "No pending charges." in [caption.value for caption in app.caption]


def table_with_column(app, column: str) -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)
