"""The Invoices overview against the real API, with the demo tenant's data: KPI cards and charts,
the list with its filters, order and page size (kept in the address), the invoice detail with
its actions, and the bulk actions on selected rows."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

from dashboard.api import GraphQLClient, invoice_filter
from dashboard.components.csv_export import invoices_csv
from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import (
    invoice_table,
    messages,
    metrics,
    money_shown,
    numbers_shown,
    select_rows,
)
from tests.dashboard.tenants import DEMO_ANALYST_TOKEN, DEMO_EDITOR_TOKEN
from tests.support.smtp import MaildirSmtpServer

LIST = "invoices"
PAGE_SIZE = 25

INVOICES = """
query ($filter: InvoiceFilter, $first: Int!, $after: String, $sort: InvoiceSort) {
  invoices(filter: $filter, first: $first, after: $after, sort: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id displayNumber status emailedAt total balance dueOn daysOverdue pastGrace
      client { name email }
      lines { periodStart description amount }
      actions {
        view { allowed reason } send { allowed reason } void { allowed reason }
        delete { allowed reason }
      }
    } }
  }
}
"""


def api_invoices(
    api: RunningApi,
    token: str = DEMO_EDITOR_TOKEN,
    *,
    first: int = 200,
    sort: dict | None = None,
    **filter: object,
) -> list[dict]:
    data = api.graphql(token, INVOICES, {"filter": filter or None, "first": first, "sort": sort})
    return [edge["node"] for edge in data["invoices"]["edges"]]


def api_total(api: RunningApi, **filter: object) -> int:
    data = api.graphql(DEMO_EDITOR_TOKEN, INVOICES, {"filter": filter or None, "first": 1})
    return data["invoices"]["totalCount"]


def numbers(invoices: list[dict]) -> list[str]:
    return [invoice["displayNumber"] for invoice in invoices]


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


def test_monthly_cards_show_this_months_figures_and_the_change(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    trends = api_server.graphql(
        DEMO_EDITOR_TOKEN,
        "{ invoiceTrends(months: 12) { currency invoicedChange collectedChange "
        "months { invoiced collected invoiceCount } } }",
    )["invoiceTrends"]
    this_month = trends["months"][-1]

    app = open_dashboard(DEMO_EDITOR_TOKEN)

    cards = {metric.label: metric for metric in app.metric}
    assert money_shown(cards["Invoiced this month"].value) == Decimal(this_month["invoiced"])
    assert money_shown(cards["Collected this month"].value) == Decimal(this_month["collected"])
    assert money_shown(cards["Invoiced this month"].delta) == Decimal(trends["invoicedChange"])
    assert money_shown(cards["Collected this month"].delta) == Decimal(trends["collectedChange"])
    assert cards["Total Invoices"].delta == f"{this_month['invoiceCount']:+,} this month"


def test_charts_draw_invoiced_collected_the_status_mix_and_the_aging(
    open_dashboard: OpenDashboard,
):
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    specs = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    assert [spec["mark"]["type"] for spec in specs] == ["bar", "arc", "bar"]
    assert any(subheader.value == "Aging" for subheader in app.subheader)
    assert specs[0]["encoding"]["color"]["scale"]["domain"] == ["Invoiced", "Collected"]
    assert set(specs[1]["encoding"]["color"]["scale"]["domain"]) == {
        "Draft",
        "Unpaid",
        "Partial",
        "Paid",
        "Void",
    }
    assert not app.exception


def test_totals_by_status_table_lists_every_status_as_the_api_does(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    by_status = api_server.graphql(
        DEMO_EDITOR_TOKEN, "{ invoiceKpis { byStatus { status count total balance } } }"
    )["invoiceKpis"]["byStatus"]

    frames = open_dashboard(DEMO_EDITOR_TOKEN).dataframe
    table = next(frame.value for frame in frames if "Days past due" not in frame.value)

    assert [tuple(row) for row in table.itertuples(index=False)] == [
        (row["status"], row["count"], Decimal(row["total"]), Decimal(row["balance"]))
        for row in by_status
    ]


def test_list_shows_the_first_server_page_newest_first(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    expected = api_invoices(api_server, first=PAGE_SIZE)

    app = open_dashboard(DEMO_EDITOR_TOKEN)

    table = invoice_table(app)
    assert list(table["Invoice #"]) == numbers(expected)
    assert list(table["Client"]) == [invoice["client"]["name"] for invoice in expected]
    assert list(table["Total (USD)"]) == [Decimal(invoice["total"]) for invoice in expected]
    assert list(table["Status"]) == [invoice["status"].capitalize() for invoice in expected]
    assert list(table["Emailed"]) == [invoice["emailedAt"] is not None for invoice in expected]
    assert [None if days != days else int(days) for days in table["Days overdue"]] == [
        invoice["daysOverdue"] or None for invoice in expected
    ]


def test_next_shows_the_following_server_page_and_page_n_of_m(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    every = numbers(api_invoices(api_server))
    assert len(every) > PAGE_SIZE, "the demo tenant needs more than one page of invoices"
    pages = -(-api_total(api_server) // PAGE_SIZE)
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.button(key=f"{LIST}.pager.next").click().run()

    assert numbers_shown(app) == every[PAGE_SIZE : 2 * PAGE_SIZE]
    assert not app.button(key=f"{LIST}.pager.previous").disabled
    assert any(f"Page 2 of {pages}" in caption.value for caption in app.caption)


def test_search_narrows_the_list_to_the_matching_invoices(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    client_name = api_invoices(api_server)[0]["client"]["name"]
    expected = numbers(api_invoices(api_server, search=client_name))
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    shown_before = len(numbers_shown(app))

    app.text_input(key=f"{LIST}.search").input(client_name).run()

    assert numbers_shown(app) == expected
    assert len(expected) < shown_before
    assert app.query_params["q"] == client_name


def test_search_by_invoice_number_finds_that_invoice(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = next(i for i in api_invoices(api_server) if i["displayNumber"].startswith("NW-"))
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.text_input(key=f"{LIST}.search").input(invoice["displayNumber"]).run()

    assert numbers_shown(app) == [invoice["displayNumber"]]


def test_a_view_in_the_address_opens_filtered_sorted_and_sized(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    sort = {"field": "TOTAL", "direction": "DESC"}
    expected = numbers(api_invoices(api_server, first=50, sort=sort, statuses=["PAID"]))
    query = {"status": "paid", "sort": "total", "dir": "desc", "size": "50"}

    app = open_dashboard(DEMO_EDITOR_TOKEN, query=query)

    assert numbers_shown(app) == expected
    assert app.multiselect(key=f"{LIST}.statuses").value == ["PAID"] or [
        status.value for status in app.multiselect(key=f"{LIST}.statuses").value
    ] == ["PAID"]
    assert app.selectbox(key=f"{LIST}.page_size").value == 50


def test_changing_the_view_writes_it_to_the_address(open_dashboard: OpenDashboard):
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.selectbox(key=f"{LIST}.sort").select_index(3).run()  # Due
    app.toggle(key=f"{LIST}.overdue").set_value(True).run()
    app.selectbox(key=f"{LIST}.page_size").set_value(100).run()

    assert app.query_params["sort"] == "due"
    assert app.query_params["overdue"] == "1"
    assert app.query_params["size"] == "100"


def test_each_sort_shows_the_servers_order(api_server: RunningApi, open_dashboard: OpenDashboard):
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    for index, field in enumerate(["NUMBER", "CLIENT", "ISSUED", "DUE", "TOTAL", "BALANCE"]):
        app.selectbox(key=f"{LIST}.sort").select_index(index).run()
        app.segmented_control(key=f"{LIST}.direction").set_value(
            app.segmented_control(key=f"{LIST}.direction").options[0]
        ).run()
        expected = api_invoices(api_server, first=PAGE_SIZE, sort={"field": field})
        assert numbers_shown(app) == numbers(expected), field


def test_overdue_only_lists_only_overdue_invoices(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    expected = numbers(api_invoices(api_server, first=PAGE_SIZE, overdueOnly=True))
    assert expected, "the demo tenant has overdue invoices"
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.toggle(key=f"{LIST}.overdue").set_value(True).run()

    assert numbers_shown(app) == expected
    assert all(days > 0 for days in invoice_table(app)["Days overdue"])


def test_an_unreadable_view_in_the_address_is_named_and_left_out(
    open_dashboard: OpenDashboard,
):
    app = open_dashboard(DEMO_EDITOR_TOKEN, query={"status": "lost", "size": "7"})

    warnings = messages(app, "warning")
    assert "Left out of the view: status: lost is not an invoice status." in warnings
    assert "Left out of the view: size: '7' is not one of 25, 50, 100, 200." in warnings
    assert len(numbers_shown(app)) == PAGE_SIZE


def test_the_detail_shows_the_invoice_as_the_api_serves_it(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = next(i for i in api_invoices(api_server) if i["lines"])

    app = open_dashboard(DEMO_EDITOR_TOKEN, query={"invoice": invoice["id"]})

    assert not app.exception
    assert any(invoice["displayNumber"] in item.value for item in app.markdown)
    lines = next(frame.value for frame in app.dataframe if "Description" in frame.value)
    assert list(lines["Description"]) == [line["description"] for line in invoice["lines"]]
    assert list(lines["Net amount"]) == [Decimal(line["amount"]) for line in invoice["lines"]]
    cards = metrics(app)
    assert money_shown(cards["Total"]) == Decimal(invoice["total"])
    assert money_shown(cards["Balance"]) == Decimal(invoice["balance"])


def test_void_with_reset_from_the_detail_shows_the_row_as_void(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = next(
        i
        for i in api_invoices(api_server, statuses=["UNPAID"])
        if i["actions"]["void"]["allowed"] and any(line["periodStart"] for line in i["lines"])
    )
    app = open_dashboard(DEMO_EDITOR_TOKEN, query={"invoice": invoice["id"]})
    app.text_input(key=f"{LIST}.search").input(invoice["displayNumber"]).run()

    app.button(key=f"{LIST}.detail.void").click().run()
    app.checkbox(key=f"{LIST}.void.reset.{invoice['id']}").check().run()
    app.text_input(key=f"{LIST}.void.reason.{invoice['id']}").input("Billed twice").run()
    app.button(key=f"{LIST}.void.confirm").click().run()

    assert not app.exception
    assert messages(app, "success") == [
        f"Invoice {invoice['displayNumber']} is void. "
        "Its services and charges will be billed again by the next run."
    ]
    assert list(invoice_table(app)["Status"]) == ["Void"]
    assert api_invoices(api_server, search=invoice["displayNumber"])[0]["status"] == "VOID"
    app.query_params["invoice"] = invoice["id"]
    app.run()
    assert app.button(key=f"{LIST}.detail.void").disabled


def test_void_refused_by_the_api_is_disabled_with_its_reason(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = api_invoices(api_server, statuses=["PAID"])[0]

    app = open_dashboard(DEMO_EDITOR_TOKEN, query={"invoice": invoice["id"]})

    void = app.button(key=f"{LIST}.detail.void")
    assert void.disabled
    assert void.help == invoice["actions"]["void"]["reason"]


def test_send_from_the_detail_emails_the_invoice(
    api_server: RunningApi, open_dashboard: OpenDashboard, smtp_server: MaildirSmtpServer
):
    invoice = next(
        i
        for i in api_invoices(api_server)
        if i["emailedAt"] is None and i["client"]["email"] and i["actions"]["send"]["allowed"]
    )
    app = open_dashboard(DEMO_EDITOR_TOKEN, query={"invoice": invoice["id"]})
    app.text_input(key=f"{LIST}.search").input(invoice["displayNumber"]).run()

    app.button(key=f"{LIST}.detail.send").click().run()

    assert messages(app, "success") == [
        f"Invoice {invoice['displayNumber']} was emailed to {invoice['client']['email']}."
    ]
    assert list(invoice_table(app)["Emailed"]) == [True]
    recipients = [message["To"].addresses[0].addr_spec for message in smtp_server.messages()]
    assert recipients == [invoice["client"]["email"]]


def test_delete_in_development_removes_the_invoice(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = next(
        i for i in api_invoices(api_server, statuses=["PAID"]) if i["actions"]["delete"]["allowed"]
    )
    app = open_dashboard(DEMO_EDITOR_TOKEN, query={"invoice": invoice["id"]})
    app.text_input(key=f"{LIST}.search").input(invoice["displayNumber"]).run()

    app.button(key=f"{LIST}.detail.delete").click().run()
    app.button(key=f"{LIST}.delete.confirm").click().run()

    assert messages(app, "success") == [f"Invoice {invoice['displayNumber']} was deleted."]
    assert numbers_shown(app) == []
    assert api_invoices(api_server, search=invoice["displayNumber"]) == []


def test_view_only_token_shows_every_action_disabled_with_the_api_reason(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    for invoice in api_invoices(api_server, DEMO_ANALYST_TOKEN, first=3):
        app = open_dashboard(DEMO_ANALYST_TOKEN, query={"invoice": invoice["id"]})
        for action in ("send", "void", "delete"):
            button = app.button(key=f"{LIST}.detail.{action}")
            assert button.disabled
            assert button.help == invoice["actions"][action]["reason"]
            assert button.help == "Needs the billing.edit permission."


def test_bulk_actions_wait_for_a_selection(open_dashboard: OpenDashboard):
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    for action in ("send", "pdf", "csv"):
        assert app.button(key=f"{LIST}.bulk.{action}").disabled

    select_rows(app, [0, 1])
    for action in ("send", "pdf", "csv"):
        assert not app.button(key=f"{LIST}.bulk.{action}").disabled
    assert any("2 invoices selected" in caption.value for caption in app.caption)


def test_bulk_send_asks_then_reports_each_invoice(
    api_server: RunningApi, open_dashboard: OpenDashboard, smtp_server: MaildirSmtpServer
):
    page = api_invoices(api_server, first=PAGE_SIZE)
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    select_rows(app, [0, 1, 2])

    app.button(key=f"{LIST}.bulk.send").click().run()
    assert smtp_server.messages() == [], "nothing is sent before the confirmation"
    app.button(key=f"{LIST}.bulk.confirm").click().run()

    results = next(frame.value for frame in app.dataframe if "Result" in frame.value)
    assert list(results["Invoice #"]) == numbers(page[:3])
    for invoice, done, result in zip(page[:3], results["Done"], results["Result"], strict=True):
        if done:
            assert result == f"Emailed to {invoice['client']['email']}"
        else:
            assert result.startswith("Not sent: ")
            assert len(result) > len("Not sent: "), "the API's reason is given"
    recipients = [message["To"].addresses[0].addr_spec for message in smtp_server.messages()]
    assert sorted(recipients) == sorted(
        invoice["client"]["email"]
        for invoice, done in zip(page[:3], results["Done"], strict=True)
        if done
    )


def test_bulk_csv_holds_the_selected_rows(api_server: RunningApi, open_dashboard: OpenDashboard):
    page = api_invoices(api_server, first=PAGE_SIZE)
    app = open_dashboard(DEMO_EDITOR_TOKEN)
    select_rows(app, [1, 3])

    app.button(key=f"{LIST}.bulk.csv").click().run()

    [download] = [
        item for item in app.get("download_button") if item.proto.label.startswith("Download")
    ]
    assert download.proto.label == "Download CSV of 2 invoices"
    results = next(frame.value for frame in app.dataframe if "Result" in frame.value)
    assert list(results["Invoice #"]) == [page[1]["displayNumber"], page[3]["displayNumber"]]


def test_bulk_pdfs_make_one_zip_of_the_signed_links(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    from dashboard.api import fetch_invoice_page
    from dashboard.components.bulk_actions import zip_of_pdfs
    from dashboard.models import invoices_on

    api = GraphQLClient(api_server.graphql_url, DEMO_EDITOR_TOKEN)
    invoices = invoices_on(fetch_invoice_page(api, first=2))

    archive, outcomes = zip_of_pdfs(api, invoices)

    assert [outcome.done for outcome in outcomes] == [True, True]
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.namelist() == [f"{invoice.display_number}.pdf" for invoice in invoices]
        assert all(opened.read(name).startswith(b"%PDF") for name in opened.namelist())

    app = open_dashboard(DEMO_EDITOR_TOKEN)
    select_rows(app, [0, 1])
    app.button(key=f"{LIST}.bulk.pdf").click().run()
    app.button(key=f"{LIST}.bulk.confirm").click().run()
    assert messages(app, "success") == ["2 of 2 invoices done."]


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
    rows = list(csv.reader(lines[1:]))
    assert [row[0] for row in rows] == [i["displayNumber"] for i in expected]
    assert [row[5] for row in rows] == [i["total"] for i in expected]
