"""Credit notes in the dashboard against the real API: the dialog on an invoice's row, and the
Credit notes page."""

from __future__ import annotations

import uuid
from decimal import Decimal

from streamlit.testing.v1 import AppTest

from dashboard.api import GraphQLClient, issue_credit_note
from dashboard.components.credit_note_dialog import CHOSEN_LINES
from dashboard.components.credit_note_list import EMPTY
from dashboard.models import CreditNoteSettlement
from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import messages, walk
from tests.dashboard.tenants import CREDIT_NOTES, SETTINGS

LIST = "invoices"
CREDIT_NOTES_PAGE = "pages/credit_notes.py"
CREDIT_NOTES_LIST = "credit_notes"

CREDITABLE = """
query ($filter: InvoiceFilter) {
  invoices(filter: $filter, first: 100) { edges { node {
    id displayNumber total balance credited currency
    lines { id amount }
    actions { credit { allowed reason } }
    pdfUrl
    creditNotes { id number total settlement lines { amount invoiceLine { id } } }
  } } }
}
"""
CREDIT_NOTES_QUERY = """
query ($first: Int!) {
  creditNotes(first: $first) {
    totalCount
    edges { node { id number total settlement invoice { displayNumber currency } } }
  }
}
"""
ISSUE = """
mutation ($input: IssueCreditNoteInput!) {
  issueCreditNote(input: $input) { creditNote { id number } errors { code message } }
}
"""


def creditable_invoices(
    api: RunningApi, status: str, token: str = CREDIT_NOTES.editor_token
) -> list[dict]:
    """The tenant's invoices in `status` that may be credited and have not been yet."""
    data = api.graphql(token, CREDITABLE, {"filter": {"statuses": [status]}})
    return [
        edge["node"]
        for edge in data["invoices"]["edges"]
        if edge["node"]["actions"]["credit"]["allowed"] and Decimal(edge["node"]["credited"]) == 0
    ]


def invoice_now(api: RunningApi, number: str) -> dict:
    data = api.graphql(CREDIT_NOTES.editor_token, CREDITABLE, {"filter": {"search": number}})
    return data["invoices"]["edges"][0]["node"]


def open_credit_dialog(open_dashboard: OpenDashboard, invoice: dict) -> AppTest:
    """The invoice's detail (opened from the list), then its Credit note button."""
    app = open_dashboard(CREDIT_NOTES.editor_token, query={"invoice": invoice["id"]})
    app.text_input(key="invoices.search").input(invoice["displayNumber"]).run()
    return app.button(key=f"{LIST}.detail.credit").click().run()


def test_credit_note_for_the_whole_invoice_is_issued_and_named(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = creditable_invoices(api_server, "UNPAID")[0]
    app = open_credit_dialog(open_dashboard, invoice)

    app.text_input(key=f"{LIST}.credit.reason.{invoice['id']}").input("Outage in November").run()
    app.button(key=f"{LIST}.credit.confirm").click().run()

    assert not app.exception
    [issued] = invoice_now(api_server, invoice["displayNumber"])["creditNotes"]
    assert issued["total"] == invoice["total"]
    assert issued["settlement"] == "OFFSET"
    assert messages(app, "success") == [
        f"Credit note {issued['number']} was issued for invoice {invoice['displayNumber']} "
        f"({Decimal(invoice['total']):,f} {invoice['currency']})."
    ]


def test_credit_note_for_part_of_a_line_to_the_credit_balance(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = creditable_invoices(api_server, "UNPAID")[1]
    line = invoice["lines"][0]
    part = (Decimal(line["amount"]) / 2).quantize(Decimal("0.01"))
    app = open_credit_dialog(open_dashboard, invoice)

    app.radio(key=f"{LIST}.credit.scope.{invoice['id']}").set_value(CHOSEN_LINES).run()
    for other in invoice["lines"][1:]:
        app.text_input(key=f"{LIST}.credit.line.{invoice['id']}.{other['id']}").input("").run()
    app.text_input(key=f"{LIST}.credit.line.{invoice['id']}.{line['id']}").input(str(part)).run()
    app.text_input(key=f"{LIST}.credit.reason.{invoice['id']}").input("Goodwill").run()
    app.radio(key=f"{LIST}.credit.settlement.{invoice['id']}").set_value("CREDIT").run()
    app.button(key=f"{LIST}.credit.confirm").click().run()

    assert not app.exception
    [issued] = invoice_now(api_server, invoice["displayNumber"])["creditNotes"]
    assert issued["settlement"] == "CREDIT"
    assert [
        (credited["invoiceLine"]["id"], Decimal(credited["amount"])) for credited in issued["lines"]
    ] == [(line["id"], part)]
    assert messages(app, "success")[0].startswith(f"Credit note {issued['number']} was issued")


def test_a_credit_refused_by_the_api_is_shown_in_the_dialog_and_issues_nothing(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = creditable_invoices(api_server, "PAID")[0]
    line = invoice["lines"][0]
    too_much = Decimal(line["amount"]) + 1
    app = open_credit_dialog(open_dashboard, invoice)

    app.radio(key=f"{LIST}.credit.scope.{invoice['id']}").set_value(CHOSEN_LINES).run()
    app.text_input(key=f"{LIST}.credit.line.{invoice['id']}.{line['id']}").input(
        f"{too_much:f}"
    ).run()
    app.text_input(key=f"{LIST}.credit.reason.{invoice['id']}").input("Too much").run()
    app.button(key=f"{LIST}.credit.confirm").click().run()

    [refusal] = messages(app, "error")
    assert refusal.startswith("No credit note was issued: ")
    assert invoice_now(api_server, invoice["displayNumber"])["creditNotes"] == []


def test_a_credit_note_needs_a_reason(api_server: RunningApi, open_dashboard: OpenDashboard):
    invoice = creditable_invoices(api_server, "PAID")[1]
    app = open_credit_dialog(open_dashboard, invoice)

    app.button(key=f"{LIST}.credit.confirm").click().run()

    assert messages(app, "error") == ["Give a reason: it is printed on the credit note."]
    assert invoice_now(api_server, invoice["displayNumber"])["creditNotes"] == []


def test_credit_note_is_disabled_with_the_api_reason_for_a_view_only_token(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    invoice = creditable_invoices(api_server, "UNPAID", CREDIT_NOTES.analyst_token)
    data = api_server.graphql(CREDIT_NOTES.analyst_token, CREDITABLE, {"filter": None})
    first = data["invoices"]["edges"][0]["node"]

    app = open_dashboard(CREDIT_NOTES.analyst_token, query={"invoice": first["id"]})

    assert invoice == []
    button = app.button(key=f"{LIST}.detail.credit")
    assert button.disabled
    assert button.help == first["actions"]["credit"]["reason"]


def test_invoice_detail_links_its_pdf(api_server: RunningApi, open_dashboard: OpenDashboard):
    invoice = creditable_invoices(api_server, "UNPAID")[0]
    app = open_dashboard(CREDIT_NOTES.editor_token, query={"invoice": invoice["id"]})

    [link] = [element for element in app.get("link_button") if element.proto.label == "PDF"]

    assert link.proto.url.split("?")[0] == invoice["pdfUrl"].split("?")[0]
    assert link.proto.url.split("?")[0].endswith(f"/invoices/{invoice['id']}/pdf")


def test_credit_notes_page_lists_them_newest_first_with_their_documents(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    for invoice in creditable_invoices(api_server, "PAID")[2:4]:
        issued = api_server.graphql(
            CREDIT_NOTES.editor_token,
            ISSUE,
            {
                "input": {
                    "invoiceId": invoice["id"],
                    "reason": "Listed",
                    "settlement": "CREDIT",
                    "idempotencyKey": str(uuid.uuid4()),
                }
            },
        )["issueCreditNote"]
        assert issued["errors"] == []
    listed = api_server.graphql(CREDIT_NOTES.editor_token, CREDIT_NOTES_QUERY, {"first": 25})
    expected = [edge["node"] for edge in listed["creditNotes"]["edges"]]

    app = open_dashboard(CREDIT_NOTES.editor_token, CREDIT_NOTES_PAGE)

    assert not app.exception
    assert credit_note_ids(app) == [credit_note["id"] for credit_note in expected]
    newest = app.get_by_key(f"{CREDIT_NOTES_LIST}-credit-note-{expected[0]['id']}")
    texts = [element.value for element in newest.markdown]
    currency = expected[0]["invoice"]["currency"]
    assert expected[0]["number"] in texts
    assert expected[0]["invoice"]["displayNumber"] in texts
    assert f"{Decimal(expected[0]['total']):,f} {currency}" in texts
    labels = [link.proto.label for link in newest.get("link_button")]
    assert labels == ["View", "PDF"]
    total = listed["creditNotes"]["totalCount"]
    assert app.main.caption[-1].value == f"1–{len(expected)} of {total} credit notes"


def test_credit_notes_page_says_when_there_are_none(open_dashboard: OpenDashboard):
    app = open_dashboard(SETTINGS.analyst_token, CREDIT_NOTES_PAGE)

    assert not app.exception
    assert messages(app, "info") == [EMPTY]


def credit_note_ids(app: AppTest) -> list[str]:
    prefix = f"{CREDIT_NOTES_LIST}-credit-note-"
    return [
        key.removeprefix(prefix)
        for node in walk(app.main)
        if (key := getattr(node, "key", None)) and str(key).startswith(prefix)
    ]


def test_a_repeated_issue_with_the_dialog_key_issues_one_credit_note(api_server: RunningApi):
    invoice = creditable_invoices(api_server, "PAID")[0]
    api = GraphQLClient(api_server.graphql_url, CREDIT_NOTES.editor_token)
    key = str(uuid.uuid4())

    first, second = (
        issue_credit_note(
            api,
            invoice["id"],
            reason="Clicked twice",
            line_amounts=None,
            settlement=CreditNoteSettlement.CREDIT,
            reset_service_schedule=False,
            idempotency_key=key,
        )
        for _ in range(2)
    )

    assert first.ok and second.ok
    assert first.value.number == second.value.number
    assert len(invoice_now(api_server, invoice["displayNumber"])["creditNotes"]) == 1
