"""The Collections page and the aging report against the real API: the overdue invoices with
their reminders, the blocked clients, "Send reminder" and "Unblock"."""

from __future__ import annotations

from decimal import Decimal

from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import badges, messages, walk
from tests.dashboard.tenants import COLLECTIONS

PAGE = "pages/collections.py"
TOKEN = COLLECTIONS.editor_token

OVERDUE = """{ overdueInvoices(first: 200) {
  id displayNumber reminders { level } actions { remind { allowed } } } }"""
BLOCKED = "{ blockedClients(first: 200) { id name blocked blockedReason } }"
AGING = "{ agingReport { total buckets { label count balance } } }"
BLOCK = """mutation ($id: ID!, $blocked: Boolean!) {
  setClientBlocked(input: {clientId: $id, blocked: $blocked}) { errors { code } } }"""
CLIENTS = "{ clients(first: 50) { id name blocked } }"


def shown_keys(app: AppTest, prefix: str) -> list[str]:
    return [
        key.removeprefix(prefix)
        for node in walk(app.main)
        if (key := getattr(node, "key", None)) and isinstance(key, str) and key.startswith(prefix)
    ]


def test_the_page_lists_the_overdue_invoices_and_the_blocked_clients(
    api_server: RunningApi, open_dashboard: OpenDashboard
) -> None:
    client = api_server.graphql(TOKEN, CLIENTS)["clients"][0]
    api_server.graphql(TOKEN, BLOCK, {"id": client["id"], "blocked": True})
    overdue = api_server.graphql(TOKEN, OVERDUE)["overdueInvoices"]
    blocked = api_server.graphql(TOKEN, BLOCKED)["blockedClients"]

    app = open_dashboard(TOKEN, PAGE)

    assert not app.exception
    assert overdue, "the lab tenant has invoices past due"
    assert shown_keys(app, "collections-invoice-") == [invoice["id"] for invoice in overdue]
    assert shown_keys(app, "collections-client-") == [client["id"] for client in blocked]
    assert client["id"] in shown_keys(app, "collections-client-")


def test_send_reminder_emails_the_invoice_and_shows_the_reminder(
    api_server: RunningApi, open_dashboard: OpenDashboard
) -> None:
    invoice = next(
        invoice
        for invoice in api_server.graphql(TOKEN, OVERDUE)["overdueInvoices"]
        if invoice["actions"]["remind"]["allowed"]
    )
    sent_before = len(invoice["reminders"])

    app = open_dashboard(TOKEN, PAGE)
    app = app.button(key=f"collections-remind-{invoice['id']}").click().run()

    assert messages(app, "success") == [f"Reminder emailed for invoice {invoice['displayNumber']}."]
    after = next(
        shown
        for shown in api_server.graphql(TOKEN, OVERDUE)["overdueInvoices"]
        if shown["id"] == invoice["id"]
    )
    assert [r["level"] for r in after["reminders"]] == list(range(1, sent_before + 2))
    row = app.get_by_key(f"collections-invoice-{invoice['id']}")
    assert any("Reminders sent" in caption.value for caption in row.caption)


def test_unblock_lifts_the_block(api_server: RunningApi, open_dashboard: OpenDashboard) -> None:
    client = api_server.graphql(TOKEN, CLIENTS)["clients"][1]
    api_server.graphql(TOKEN, BLOCK, {"id": client["id"], "blocked": True})

    app = open_dashboard(TOKEN, PAGE)
    app = app.button(key=f"collections-unblock-{client['id']}").click().run()

    assert messages(app, "success") == [f"{client['name']} is unblocked."]
    blocked_ids = [c["id"] for c in api_server.graphql(TOKEN, BLOCKED)["blockedClients"]]
    assert client["id"] not in blocked_ids
    assert client["id"] not in shown_keys(app, "collections-client-")


def test_an_analyst_sees_the_page_with_the_actions_disabled(
    api_server: RunningApi, open_dashboard: OpenDashboard
) -> None:
    app = open_dashboard(COLLECTIONS.analyst_token, PAGE)

    buttons = [button for button in app.button if button.key.startswith("collections-")]
    assert buttons and all(button.disabled for button in buttons)


def render_aging(url: str, token: str) -> None:
    from dashboard.api import GraphQLClient
    from dashboard.components.aging import render_aging_report

    render_aging_report(GraphQLClient(url, token))


def test_the_aging_component_shows_the_reports_buckets_as_chart_and_table(
    api_server: RunningApi,
) -> None:
    report = api_server.graphql(TOKEN, AGING)["agingReport"]

    app = AppTest.from_function(render_aging, args=(api_server.graphql_url, TOKEN)).run()

    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["Days past due"]) == ["Current", "1-30", "31-60", "61-90", "91+"]
    assert list(table["Invoices"]) == [bucket["count"] for bucket in report["buckets"]]
    assert [Decimal(str(value)) for value in table["Balance (USD)"]] == [
        Decimal(bucket["balance"]) for bucket in report["buckets"]
    ]
    assert app.get("vega_lite_chart")


def test_the_client_billing_page_shows_a_block_with_its_reason(
    api_server: RunningApi, open_dashboard: OpenDashboard
) -> None:
    client = api_server.graphql(TOKEN, CLIENTS)["clients"][2]
    api_server.graphql(TOKEN, BLOCK, {"id": client["id"], "blocked": True})

    app = open_dashboard(TOKEN, "pages/client_billing.py", query={"client_id": client["id"]})

    assert "Blocked by hand: runs skip this client" in badges(app.main)
