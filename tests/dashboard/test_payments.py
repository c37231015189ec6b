"""Payments in the dashboard against the real API: the Payments page (search, client filter,
reverse, refund), the Record payment dialog, and the client billing page's credit balance,
balance due, statement with its CSV, and Apply credit."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal

from streamlit.testing.v1 import AppTest

from dashboard.api import GraphQLClient, fetch_client_receivables
from dashboard.components.client_receivables import statement_csv
from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import messages, metrics, money_shown, walk
from tests.dashboard.tenants import DEMO_EDITOR_TOKEN

PAYMENTS_PAGE = "pages/payments.py"
CLIENT_PAGE = "pages/client_billing.py"
LIST = "payments"

OPEN_INVOICES = """
query { invoices(filter: {statuses: [UNPAID, PARTIAL]}, first: 200) { edges { node {
  id balance client { id name }
} } } }
"""
RECORD = """
mutation ($input: RecordPaymentInput!) { recordPayment(input: $input) {
  payment { id amount unallocated refunded status reference } errors { code message }
} }
"""
PAYMENT = "query ($id: ID!) { payment(id: $id) { id status refunded unallocated reference } }"
PAYMENTS_OF = """
query ($filter: PaymentFilter) { payments(filter: $filter, first: 50) { edges { node {
  id amount reference
} } } }
"""
REVERSE = """
mutation ($input: ReversePaymentInput!) { reversePayment(input: $input) { errors { code } } }
"""
BALANCES = "query ($id: ID!) { client(id: $id) { creditBalance balanceDue } }"


def clients_with_open_invoices(api: RunningApi, at_least: int = 1) -> list[dict]:
    """Demo clients with `at_least` open invoices, each with its open invoices."""
    found: dict[str, dict] = {}
    for edge in api.graphql(DEMO_EDITOR_TOKEN, OPEN_INVOICES)["invoices"]["edges"]:
        node = edge["node"]
        client = found.setdefault(node["client"]["id"], {**node["client"], "invoices": []})
        client["invoices"].append(node)
    return [client for client in found.values() if len(client["invoices"]) >= at_least]


def record(api: RunningApi, client_id: str, amount: str, **more: object) -> dict:
    payload = api.graphql(
        DEMO_EDITOR_TOKEN,
        RECORD,
        {
            "input": {
                "clientId": client_id,
                "amount": amount,
                "receivedOn": "2026-11-20",
                "method": "BANK_TRANSFER",
                **more,
            }
        },
    )["recordPayment"]
    assert payload["errors"] == [], payload["errors"]
    return payload["payment"]


def payment_ids(app: AppTest, list_key: str) -> list[str]:
    prefix = f"{list_key}-payment-"
    return [
        key.removeprefix(prefix)
        for node in walk(app.main)
        if (key := getattr(node, "key", None)) and str(key).startswith(prefix)
    ]


def test_the_payments_page_searches_references_and_filters_by_client(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    first, second = clients_with_open_invoices(api_server)[:2]
    tag = uuid.uuid4().hex[:8]
    older = record(api_server, first["id"], "1.00", reference=f"{tag}-a", receivedOn="2026-11-02")
    newer = record(api_server, first["id"], "2.00", reference=f"{tag}-b", receivedOn="2026-11-03")
    record(api_server, second["id"], "3.00", reference=f"{tag}-c")

    app = open_dashboard(DEMO_EDITOR_TOKEN, PAYMENTS_PAGE)
    app.text_input(key="payments.search").input(tag).run()
    searched = payment_ids(app, LIST)
    app.text_input(key="payments.client_search").input(first["name"]).run()
    app.selectbox(key="payments.client").select(first["id"]).run()

    assert not app.exception
    assert len(searched) == 3
    assert payment_ids(app, LIST) == [newer["id"], older["id"]]


def test_a_payment_is_reversed_from_its_row_with_a_reason(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client = clients_with_open_invoices(api_server)[0]
    tag = uuid.uuid4().hex[:8]
    payment = record(api_server, client["id"], "1.50", reference=tag)
    app = open_dashboard(DEMO_EDITOR_TOKEN, PAYMENTS_PAGE)
    app.text_input(key="payments.search").input(tag).run()

    app.button(key=f"{LIST}-reverse-{payment['id']}").click().run()
    app.button(key=f"{LIST}.reverse.confirm").click().run()
    refused = messages(app, "error")
    app.text_input(key=f"{LIST}.reverse.reason").input("Cheque bounced").run()
    app.button(key=f"{LIST}.reverse.confirm").click().run()

    assert refused == ["Give a reason, e.g. “Cheque bounced”."]
    assert messages(app, "success") == [f"The payment of {client['name']} was reversed."]
    now = api_server.graphql(DEMO_EDITOR_TOKEN, PAYMENT, {"id": payment["id"]})["payment"]
    assert now["status"] == "REVERSED"


def test_part_of_an_overpayment_is_refunded_from_its_row(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client = clients_with_open_invoices(api_server)[0]
    due = Decimal(
        api_server.graphql(DEMO_EDITOR_TOKEN, BALANCES, {"id": client["id"]})["client"][
            "balanceDue"
        ]
    )
    tag = uuid.uuid4().hex[:8]
    payment = record(api_server, client["id"], f"{due + Decimal('10.00')}", reference=tag)
    assert Decimal(payment["unallocated"]) == Decimal("10.00")
    app = open_dashboard(DEMO_EDITOR_TOKEN, PAYMENTS_PAGE)
    app.text_input(key="payments.search").input(tag).run()

    app.button(key=f"{LIST}-refund-{payment['id']}").click().run()
    app.text_input(key=f"{LIST}.refund.amount.{payment['id']}").input("4.00").run()
    app.button(key=f"{LIST}.refund.confirm").click().run()

    assert not app.exception
    now = api_server.graphql(DEMO_EDITOR_TOKEN, PAYMENT, {"id": payment["id"]})["payment"]
    assert (now["refunded"], now["unallocated"]) == ("4.00", "6.00")
    assert messages(app, "success") == [f"4.00 USD was paid back to {client['name']}."]


def test_a_payment_is_recorded_from_the_client_billing_page(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client = clients_with_open_invoices(api_server)[0]
    invoice = client["invoices"][0]
    scope = f"client-{client['id']}-receivables"
    tag = uuid.uuid4().hex[:8]
    app = open_dashboard(DEMO_EDITOR_TOKEN, CLIENT_PAGE, query={"client_id": client["id"]})

    app.button(key=f"{scope}.record").click().run()
    dialog = f"{scope}.record_payment"
    app.text_input(key=f"{dialog}.amount").input("0.50").run()
    app.text_input(key=f"{dialog}.reference").input(tag).run()
    app.multiselect(key=f"{dialog}.invoices").select(invoice["id"]).run()
    app.button(key=f"{dialog}.confirm").click().run()

    assert not app.exception
    recorded = [
        edge["node"]
        for edge in api_server.graphql(DEMO_EDITOR_TOKEN, PAYMENTS_OF, {"filter": {"search": tag}})[
            "payments"
        ]["edges"]
    ]
    assert [(p["amount"], p["reference"]) for p in recorded] == [("0.50", tag)]
    assert messages(app, "success") == [
        f"A payment of 0.50 USD from {client['name']} was recorded."
    ]


def test_the_client_billing_page_shows_balances_and_the_statement_with_its_csv(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client = clients_with_open_invoices(api_server)[0]
    api = GraphQLClient(api_server.graphql_url, DEMO_EDITOR_TOKEN)
    balances, statement = fetch_client_receivables(api, client["id"])

    app = open_dashboard(DEMO_EDITOR_TOKEN, CLIENT_PAGE, query={"client_id": client["id"]})

    assert not app.exception
    shown = metrics(app)
    assert money_shown(shown["Credit balance"]) == balances.credit_balance
    assert money_shown(shown["Balance due"]) == balances.balance_due
    table = app.dataframe[-1].value
    assert len(table) == len(statement.entries)
    assert [Decimal(str(v)) for v in table["Balance (USD)"]] == [
        entry.balance for entry in statement.entries
    ]
    rows = list(csv.reader(io.StringIO(statement_csv(statement))))
    assert rows[0] == ["Date", "Kind", "Reference", "Debit", "Credit", "Balance"]
    assert Decimal(rows[-1][-1]) == statement.closing_balance
    assert statement.closing_balance == balances.balance_due - balances.credit_balance


def test_apply_credit_pays_open_invoices_from_the_credit_balance(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client = clients_with_open_invoices(api_server)[-1]
    invoice = client["invoices"][0]
    owed = Decimal(invoice["balance"])
    # The invoice paid, then money beyond it (credit), then the first payment bounces: the
    # invoice owes again while the client holds credit.
    paid = record(api_server, client["id"], f"{owed}", invoiceIds=[invoice["id"]])
    record(api_server, client["id"], "5.00")
    api_server.graphql(
        DEMO_EDITOR_TOKEN, REVERSE, {"input": {"paymentId": paid["id"], "reason": "Bounced"}}
    )
    before = api_server.graphql(DEMO_EDITOR_TOKEN, BALANCES, {"id": client["id"]})["client"]
    assert Decimal(before["creditBalance"]) >= Decimal("5.00")
    assert Decimal(before["balanceDue"]) >= owed
    scope = f"client-{client['id']}-receivables"
    app = open_dashboard(DEMO_EDITOR_TOKEN, CLIENT_PAGE, query={"client_id": client["id"]})

    app.button(key=f"{scope}.apply_credit").click().run()

    after = api_server.graphql(DEMO_EDITOR_TOKEN, BALANCES, {"id": client["id"]})["client"]
    applied = min(Decimal(before["creditBalance"]), Decimal(before["balanceDue"]))
    assert Decimal(after["balanceDue"]) == Decimal(before["balanceDue"]) - applied
    assert Decimal(after["creditBalance"]) == Decimal(before["creditBalance"]) - applied
    assert messages(app, "success") == [
        f"{applied:.2f} USD of credit was applied to {client['name']}'s invoices."
    ]
    assert money_shown(metrics(app)["Credit balance"]) == Decimal(after["creditBalance"])
