"""The Bank statements page against the real API: a statement uploaded and imported, its entries
with their status, an unmatched one matched in the dialog or ignored, and what an analyst sees."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from streamlit.testing.v1 import AppTest

from billing.bank_statements.model import Direction
from billing.bank_statements.samples import SampleEntry, camt053_document
from dashboard.components.bank_entry_dialog import describe_suggestion
from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import messages
from tests.dashboard.tenants import BANK

PAGE = "pages/bank_statements.py"
KEY = "bank_statements"
DAY = date(2026, 11, 30)

OPEN_INVOICES = """
query { invoices(filter: {statuses: [UNPAID]}, first: 100) { edges { node {
  id displayNumber balance currency client { id name }
} } } }
"""
STATEMENT = """
query ($id: ID!) { bankStatement(id: $id) {
  matched unmatched ignored entries { id bankReference status }
} }
"""
STATEMENTS = "query { bankStatements(first: 1) { edges { node { id } } } }"
INVOICE = "query ($id: ID!) { invoice(id: $id) { status balance } }"


def open_invoices(api: RunningApi) -> list[dict]:
    data = api.graphql(BANK.editor_token, OPEN_INVOICES)
    return [edge["node"] for edge in data["invoices"]["edges"]]


def minor_units(amount: str) -> int:
    return int(Decimal(amount) * 100)


def a_day(invoices: list[dict]) -> tuple[str, list[SampleEntry]]:
    """A statement naming the first invoice, an entry of the second's balance naming nothing,
    and money paid out; bank references of their own, so every test's file is new."""
    named, fitting = invoices[0], invoices[1]
    run = uuid.uuid4().hex[:8]
    currency = named["currency"]
    entries = [
        SampleEntry(
            DAY,
            minor_units(named["balance"]),
            currency,
            bank_reference=f"{run}-1",
            counterparty=named["client"]["name"],
            text=f"Invoice {named['displayNumber']}",
        ),
        SampleEntry(
            DAY,
            minor_units(fitting["balance"]),
            currency,
            bank_reference=f"{run}-2",
            counterparty="Somebody Unknown",
            text="Monthly fee",
        ),
        SampleEntry(
            DAY,
            50000,
            currency,
            Direction.DEBIT,
            bank_reference=f"{run}-3",
            counterparty="Wholesale AG",
            text="Backhaul",
        ),
    ]
    return run, entries


def upload(app: AppTest, entries: list[SampleEntry], currency: str) -> AppTest:
    content = camt053_document(entries, currency=currency).encode()
    app.get_by_key(f"{KEY}.file").set_value(("statement.xml", content, "text/xml")).run()
    return app.button(key=f"{KEY}.import").click().run()


def newest_statement(api: RunningApi) -> dict:
    newest = api.graphql(BANK.editor_token, STATEMENTS)["bankStatements"]["edges"][0]["node"]
    return api.graphql(BANK.editor_token, STATEMENT, {"id": newest["id"]})["bankStatement"]


def imported_day(api: RunningApi, open_dashboard: OpenDashboard) -> tuple[AppTest, list, dict]:
    invoices = open_invoices(api)
    _, entries = a_day(invoices)
    app = upload(open_dashboard(BANK.editor_token, PAGE), entries, invoices[0]["currency"])
    return app, invoices, newest_statement(api)


def test_an_uploaded_statement_is_imported_and_its_entries_shown(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app, invoices, statement = imported_day(api_server, open_dashboard)

    assert messages(app, "error") == []
    assert any(
        "1 matched, 1 unmatched, 0 duplicate, 1 ignored" in m for m in messages(app, "success")
    )
    assert [entry["status"] for entry in statement["entries"]] == [
        "MATCHED",
        "UNMATCHED",
        "IGNORED",
    ]
    assert {metric.label: metric.value for metric in app.metric} == {
        "Matched": "1",
        "Unmatched": "1",
        "Duplicates": "0",
        "Ignored": "1",
    }
    shown = " ".join(item.value for item in app.markdown)
    for entry in statement["entries"]:
        assert entry["bankReference"] in shown
    paid = api_server.graphql(BANK.editor_token, INVOICE, {"id": invoices[0]["id"]})["invoice"]
    assert paid["status"] == "PAID"


def test_only_the_unmatched_entry_can_be_matched_or_ignored(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app, _, statement = imported_day(api_server, open_dashboard)
    matched, unmatched, outgoing = (entry["id"] for entry in statement["entries"])

    keys = {button.key for button in app.button}

    assert {f"{KEY}-match-{unmatched}", f"{KEY}-ignore-{unmatched}"} <= keys
    assert f"{KEY}-match-{matched}" not in keys and f"{KEY}-match-{outgoing}" not in keys


def test_the_match_dialog_pays_the_suggested_invoice(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app, invoices, statement = imported_day(api_server, open_dashboard)
    entry_id = statement["entries"][1]["id"]
    balance = invoices[1]["balance"]

    app.button(key=f"{KEY}-match-{entry_id}").click().run()
    choice = app.multiselect(key=f"{KEY}.match.invoices.{entry_id}")
    # Suggested for its amount: open invoices with the entry's amount as balance.
    assert choice.options and all(balance in option for option in choice.options)
    number = choice.options[0].split(" · ")[0]
    suggested = next(
        invoice for invoice in open_invoices(api_server) if invoice["displayNumber"] == number
    )
    choice.select(suggested["id"]).run()
    app.button(key=f"{KEY}.match.confirm").click().run()

    assert messages(app, "error") == []
    assert any("as a payment of" in m for m in messages(app, "success"))
    assert newest_statement(api_server)["entries"][1]["status"] == "MATCHED"
    paid = api_server.graphql(BANK.editor_token, INVOICE, {"id": suggested["id"]})["invoice"]
    assert paid["status"] == "PAID"


def test_confirming_without_a_choice_records_nothing(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app, _, statement = imported_day(api_server, open_dashboard)
    entry_id = statement["entries"][1]["id"]

    app.button(key=f"{KEY}-match-{entry_id}").click().run()
    app.button(key=f"{KEY}.match.confirm").click().run()

    assert messages(app, "error") == ["Choose invoices or a client to record the payment for."]
    assert newest_statement(api_server)["entries"][1]["status"] == "UNMATCHED"


def test_ignore_sets_the_entry_aside(api_server: RunningApi, open_dashboard: OpenDashboard):
    app, _, statement = imported_day(api_server, open_dashboard)
    entry_id = statement["entries"][1]["id"]

    app.button(key=f"{KEY}-ignore-{entry_id}").click().run()

    assert any("Ignored the entry" in m for m in messages(app, "success"))
    assert newest_statement(api_server)["entries"][1]["status"] == "IGNORED"
    assert f"{KEY}-ignore-{entry_id}" not in {button.key for button in app.button}


def test_an_unreadable_file_is_refused_saying_where(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app = open_dashboard(BANK.editor_token, PAGE)
    before = api_server.graphql(BANK.editor_token, STATEMENTS)["bankStatements"]["edges"]

    app.get_by_key(f"{KEY}.file").set_value(
        ("statement.sta", b":20:X\n:25:DE89370400440532013000\n", "text/plain")
    ).run()
    app.button(key=f"{KEY}.import").click().run()

    (error,) = messages(app, "error")
    assert error.startswith("statement.sta was not imported: The statement cannot be read")
    after = api_server.graphql(BANK.editor_token, STATEMENTS)["bankStatements"]["edges"]
    assert after == before


def test_an_analyst_sees_the_statements_but_cannot_upload_or_match(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    imported_day(api_server, open_dashboard)

    app = open_dashboard(BANK.analyst_token, PAGE)

    assert not app.get("file_uploader")
    assert not [button for button in app.button if button.key and "-match-" in button.key]
    assert [metric.label for metric in app.metric] == [
        "Matched",
        "Unmatched",
        "Duplicates",
        "Ignored",
    ]


def test_a_suggestion_is_described_with_its_client_and_balance() -> None:
    from dashboard.graphql_client import (
        FetchBankEntrySuggestionsBankStatementEntriesSuggestedInvoices as Suggested,
    )

    invoice = Suggested.model_validate(
        {
            "id": "7",
            "displayNumber": "INV-000013",
            "balance": "25.00",
            "currency": "EUR",
            "dueOn": "2026-11-15",
            "client": {"id": "3", "name": "Ana Lopez"},
        }
    )

    assert describe_suggestion(invoice) == "INV-000013 · Ana Lopez · 25.00 EUR due 2026-11-15"
