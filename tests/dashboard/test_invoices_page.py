"""The Invoices overview against the real API, with the demo tenant's data."""

from __future__ import annotations

from decimal import Decimal

from dashboard.api import GraphQLClient, invoice_filter
from dashboard.components.csv_export import invoices_csv
from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import (
    badges,
    invoice_ids,
    invoice_row,
    messages,
    metrics,
    money_shown,
)
from tests.dashboard.tenants import DEMO_ANALYST_TOKEN, DEMO_EDITOR_TOKEN
from tests.support.smtp import MaildirSmtpServer

LIST = "invoices"
PAGE_SIZE = 25

INVOICES = """
query ($filter: InvoiceFilter, $first: Int!, $after: String) {
  invoices(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id displayNumber status emailedAt total
      client { name email }
      lines { periodStart }
      actions { send { allowed reason } void { allowed reason } delete { allowed reason } }
    } }
  }
}
"""


def api_invoices(
    api: RunningApi, token: str = DEMO_EDITOR_TOKEN, *, first: int = 200, **filter: object
) -> list[dict]:
    data = api.graphql(token, INVOICES, {"filter": filter or None, "first": first})
    return [edge["node"] for edge in data["invoices"]["edges"]]


def test_kpi_cards_show_the_api_numbers(api_server: RunningApi, open_dashboard: OpenDashboard):
    kpis = api_server.graphql(
        DEMO_EDITOR_TOKEN,
        "{ invoiceKpis { totalInvoices outstandingBalance paidInvoices currency } }",
    )["invoiceKpis"]

    shown = metrics(open_dashboard(DEMO_EDITOR_TOKEN))

    assert int(shown["Total Invoices"].replace(",", "")) == kpis["totalInvoices"]
    assert money_shown(shown["Outstanding Balance"]) == Decimal(kpis["outstandingBalance"])
    assert shown["Outstanding Balance"].endswith(kpis["currency"])
    assert int(shown["Paid Invoices"].replace(",", "")) == kpis["paidInvoices"]


def test_totals_by_status_table_lists_every_status_as_the_api_does(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    by_status = api_server.graphql(
        DEMO_EDITOR_TOKEN, "{ invoiceKpis { byStatus { status count total balance } } }"
    )["invoiceKpis"]["byStatus"]

    table = open_dashboard(DEMO_EDITOR_TOKEN).dataframe[0].value

    assert [tuple(row) for row in table.itertuples(index=False)] == [
        (row["status"], row["count"], Decimal(row["total"]), Decimal(row["balance"]))
        for row in by_status
    ]


def test_list_shows_the_first_server_page_newest_first(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    expected = [invoice["id"] for invoice in api_invoices(api_server, first=PAGE_SIZE)]

    app = open_dashboard(DEMO_EDITOR_TOKEN)

    assert invoice_ids(app, LIST) == expected


def test_next_shows_the_following_server_page(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    every_id = [invoice["id"] for invoice in api_invoices(api_server)]
    assert len(every_id) > PAGE_SIZE, "the demo tenant needs more than one page of invoices"
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.button(key=f"{LIST}.pager.next").click().run()

    assert invoice_ids(app, LIST) == every_id[PAGE_SIZE : 2 * PAGE_SIZE]
    assert not app.button(key=f"{LIST}.pager.previous").disabled


def test_search_narrows_the_list_to_the_matching_invoices(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client_name = api_invoices(api_server)[0]["client"]["name"]
    expected = [invoice["id"] for invoice in api_invoices(api_server, search=client_name)]
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    shown_before = len(invoice_ids(app, LIST))

    app.text_input(key="invoices.search").input(client_name).run()

    assert invoice_ids(app, LIST) == expected
    assert len(expected) < shown_before


def test_search_by_invoice_number_finds_that_invoice(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = next(i for i in api_invoices(api_server) if i["displayNumber"].startswith("NW-"))
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.text_input(key="invoices.search").input(invoice["displayNumber"]).run()

    assert invoice_ids(app, LIST) == [invoice["id"]]


def test_rows_show_the_status_badge_and_the_emailed_badge(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoices = api_invoices(api_server, first=PAGE_SIZE)
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    for invoice in invoices:
        expected = [invoice["status"]] + (["Emailed"] if invoice["emailedAt"] else [])
        assert badges(invoice_row(app, LIST, invoice["id"])) == expected


def test_void_with_reset_shows_the_row_as_void(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = next(
        i
        for i in api_invoices(api_server, statuses=["UNPAID"])
        if i["actions"]["void"]["allowed"] and any(line["periodStart"] for line in i["lines"])
    )
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    app.text_input(key="invoices.search").input(invoice["displayNumber"]).run()

    app.button(key=f"{LIST}-void-{invoice['id']}").click().run()
    app.checkbox(key=f"{LIST}.void.reset.{invoice['id']}").check().run()
    app.text_input(key=f"{LIST}.void.reason.{invoice['id']}").input("Billed twice").run()
    app.button(key=f"{LIST}.void.confirm").click().run()

    assert not app.exception
    assert messages(app, "success") == [
        f"Invoice {invoice['displayNumber']} is void. "
        "Its services and charges will be billed again by the next run."
    ]
    assert badges(invoice_row(app, LIST, invoice["id"]))[0] == "VOID"
    assert app.button(key=f"{LIST}-void-{invoice['id']}").disabled
    assert api_invoices(api_server, search=invoice["displayNumber"])[0]["status"] == "VOID"


def test_void_refused_by_the_api_is_disabled_with_its_reason(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = api_invoices(api_server, statuses=["PAID"])[0]
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.text_input(key="invoices.search").input(invoice["displayNumber"]).run()

    void = app.button(key=f"{LIST}-void-{invoice['id']}")
    assert void.disabled
    assert void.help == invoice["actions"]["void"]["reason"]


def test_send_emails_the_invoice_and_adds_the_emailed_badge(
    api_server: RunningApi, open_dashboard: OpenDashboard, smtp_server: MaildirSmtpServer
):
    invoice = next(
        i
        for i in api_invoices(api_server)
        if i["emailedAt"] is None and i["client"]["email"] and i["actions"]["send"]["allowed"]
    )
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    app.text_input(key="invoices.search").input(invoice["displayNumber"]).run()

    app.button(key=f"{LIST}-send-{invoice['id']}").click().run()

    assert messages(app, "success") == [
        f"Invoice {invoice['displayNumber']} was emailed to {invoice['client']['email']}."
    ]
    assert "Emailed" in badges(invoice_row(app, LIST, invoice["id"]))
    recipients = [message["To"].addresses[0].addr_spec for message in smtp_server.messages()]
    assert recipients == [invoice["client"]["email"]]


def test_delete_in_development_removes_the_invoice(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = next(
        i for i in api_invoices(api_server, statuses=["PAID"]) if i["actions"]["delete"]["allowed"]
    )
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    app.text_input(key="invoices.search").input(invoice["displayNumber"]).run()

    app.button(key=f"{LIST}-delete-{invoice['id']}").click().run()
    app.button(key=f"{LIST}.delete.confirm").click().run()

    assert messages(app, "success") == [f"Invoice {invoice['displayNumber']} was deleted."]
    assert invoice_ids(app, LIST) == []
    assert api_invoices(api_server, search=invoice["displayNumber"]) == []


def test_view_only_token_shows_every_action_disabled_with_the_api_reason(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoices = api_invoices(api_server, DEMO_ANALYST_TOKEN, first=PAGE_SIZE)

    app = open_dashboard(DEMO_ANALYST_TOKEN)

    for invoice in invoices:
        for action in ("send", "void", "delete"):
            button = app.button(key=f"{LIST}-{action}-{invoice['id']}")
            assert button.disabled
            assert button.help == invoice["actions"][action]["reason"]
            assert button.help == "Needs the billing.edit permission."


def test_run_generator_links_to_the_bulk_run_page(open_dashboard: OpenDashboard):
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    links = {link.proto.label: link.proto.page for link in app.get("page_link")}

    assert links["Run Generator"] == "bulk_run"


def test_csv_export_holds_every_invoice_of_the_search(api_server: RunningApi):
    client_name = api_invoices(api_server)[0]["client"]["name"]
    expected = api_invoices(api_server, search=client_name)
    api = GraphQLClient(api_server.graphql_url, DEMO_EDITOR_TOKEN)

    lines = invoices_csv(api, invoice_filter(search=client_name)).splitlines()

    assert lines[0].startswith("Invoice #,Client,Issued")
    assert [line.split(",")[0] for line in lines[1:]] == [i["displayNumber"] for i in expected]
    assert [line.split(",")[5] for line in lines[1:]] == [i["total"] for i in expected]
