"""The Bulk run page against the real API: plan previews, runs with progress, review, locks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import messages, metrics, money_shown, start_confirmed_run
from tests.dashboard.tenants import (
    BULK_RUN,
    DEMO_ANALYST_TOKEN,
    DEMO_EDITOR_TOKEN,
    DRY_RUN,
    LOCKED,
    REVIEW_DISCARD,
    REVIEW_FINALIZE,
    RUN_HISTORY,
)

PAGE = "pages/bulk_run.py"
KEY = "bulk_run"

PLAN = """
query ($billingDate: Date) {
  invoiceRunPlan(billingDate: $billingDate) {
    runDate locked dueDate graceDate manualRunAllowed blockedReason review
  }
}
"""

RUN = """
query ($id: ID!) {
  invoiceRun(id: $id) {
    id status invoicesIssued amountIssued clientsTotal clientsProcessed
    invoices(first: 200) { edges { node { id number displayNumber status total client { name } } } }
  }
}
"""

COUNTED_PLAN = """
query ($billingDate: Date) { invoiceRunPlan(billingDate: $billingDate) { eligibleClients } }
"""

LATEST_RUN = "{ invoiceRuns(first: 1) { edges { node { id status } } } }"


def latest_run(api: RunningApi, token: str) -> dict:
    edges = api.graphql(token, LATEST_RUN)["invoiceRuns"]["edges"]
    return api.graphql(token, RUN, {"id": edges[0]["node"]["id"]})["invoiceRun"]


def summary_rows(app) -> list[tuple[str, str, Decimal, str]]:
    """The Generation Summary table: number, client, total, status."""
    table = app.dataframe[0].value
    return [
        (row.Number, row.Client, row.Total, row.Status) for row in table.itertuples(index=False)
    ]


def expected_rows(run: dict) -> list[tuple[str, str, Decimal, str]]:
    return [
        (node["displayNumber"], node["client"]["name"], Decimal(node["total"]), node["status"])
        for node in (edge["node"] for edge in run["invoices"]["edges"])
    ]


def test_previews_show_the_plan_of_the_default_billing_date(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    plan = api_server.graphql(DEMO_EDITOR_TOKEN, PLAN)["invoiceRunPlan"]

    app = open_dashboard(DEMO_EDITOR_TOKEN, PAGE)

    assert app.date_input(key=f"{KEY}.billing_date").value.isoformat() == plan["runDate"]
    shown = metrics(app)
    assert (shown["Run date"], shown["Due date"], shown["Grace until"]) == (
        plan["runDate"],
        plan["dueDate"],
        plan["graceDate"],
    )


def test_previews_follow_a_changed_billing_date(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    billing_date = date.today() + timedelta(days=20)
    plan = api_server.graphql(DEMO_EDITOR_TOKEN, PLAN, {"billingDate": billing_date.isoformat()})
    plan = plan["invoiceRunPlan"]
    app = open_dashboard(DEMO_EDITOR_TOKEN, PAGE)

    app.date_input(key=f"{KEY}.billing_date").set_value(billing_date).run()

    shown = metrics(app)
    assert (shown["Run date"], shown["Due date"], shown["Grace until"]) == (
        billing_date.isoformat(),
        plan["dueDate"],
        plan["graceDate"],
    )


def test_run_bulk_now_asks_first_with_the_date_and_the_number_of_clients(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    billing_date = date.today() + timedelta(days=3)
    plan = api_server.graphql(
        DEMO_EDITOR_TOKEN, COUNTED_PLAN, {"billingDate": billing_date.isoformat()}
    )["invoiceRunPlan"]
    runs_before = run_ids(api_server, DEMO_EDITOR_TOKEN)
    app = open_dashboard(DEMO_EDITOR_TOKEN, PAGE)
    app.date_input(key=f"{KEY}.billing_date").set_value(billing_date).run()

    app.button(key=f"{KEY}.run").click().run()

    question = " ".join(markdown.value for markdown in app.markdown)
    assert f"on **{billing_date.isoformat()}**" in question
    assert f"**{plan['eligibleClients']} clients**" in question
    assert run_ids(api_server, DEMO_EDITOR_TOKEN) == runs_before

    app.button(key=f"{KEY}.run.cancel").click().run()

    assert f"{KEY}.run.confirm" not in [button.key for button in app.button]
    assert run_ids(api_server, DEMO_EDITOR_TOKEN) == runs_before


def run_ids(api: RunningApi, token: str) -> list[str]:
    edges = api.graphql(token, "{ invoiceRuns(first: 50) { edges { node { id } } } }")
    return [edge["node"]["id"] for edge in edges["invoiceRuns"]["edges"]]


def test_run_from_the_page_shows_progress_then_the_generation_summary(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app = open_dashboard(BULK_RUN.editor_token, PAGE)
    assert not app.checkbox(key=f"{KEY}.review").value

    start_confirmed_run(app, KEY)

    assert not app.exception
    run = latest_run(api_server, BULK_RUN.editor_token)
    assert run["status"] == "COMPLETED"
    assert run["invoicesIssued"] > 0
    [progress] = app.get("progress")
    assert progress.value == 100
    assert progress.proto.text == (
        f"Completed: {run['clientsProcessed']} of {run['clientsTotal']} clients processed, "
        f"{run['invoicesIssued']} invoices."
    )
    assert "Generation Summary" in [header.value for header in app.subheader]
    assert summary_rows(app) == expected_rows(run)
    assert all(status == "UNPAID" or status == "PAID" for *_, status in summary_rows(app))
    assert money_shown(metrics(app)["Amount total"]) == Decimal(run["amountIssued"])
    # The run billed everyone; the demo's client without an email address may already show as
    # the one error (its email job runs after the run), and nothing else may.
    captions = [caption.value for caption in app.caption]
    if "No errors." not in captions:
        [listed] = [frame.value for frame in app.dataframe if "Message" in frame.value]
        assert all("was not emailed" in message for message in listed["Message"])


def test_finished_run_is_listed_under_recent_runs(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app = open_dashboard(RUN_HISTORY.editor_token, PAGE)
    start_confirmed_run(app, KEY)
    run = latest_run(api_server, RUN_HISTORY.editor_token)

    recent = app.dataframe[-1].value

    assert recent.iloc[0]["Run"] == f"#{run['id']}"
    assert recent.iloc[0]["Status"] == "Completed"


def test_safety_lock_disables_run_bulk_now_and_locks_the_billing_date(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    plan = api_server.graphql(LOCKED.editor_token, PLAN)["invoiceRunPlan"]
    assert plan["locked"] and not plan["manualRunAllowed"]

    app = open_dashboard(LOCKED.editor_token, PAGE)

    run_button = app.button(key=f"{KEY}.run")
    assert run_button.disabled
    assert run_button.help == plan["blockedReason"]
    assert plan["blockedReason"] in messages(app, "warning")
    [billing_date] = app.date_input
    assert billing_date.disabled
    assert billing_date.value.isoformat() == plan["runDate"]
    assert metrics(app)["Run date"] == plan["runDate"]


def test_review_run_shows_drafts_then_discard_throws_them_away(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    token = REVIEW_DISCARD.editor_token
    app = open_dashboard(token, PAGE)
    assert app.checkbox(key=f"{KEY}.review").value, "the tenant's review setting is the default"

    start_confirmed_run(app, KEY)

    run = latest_run(api_server, token)
    assert run["status"] == "AWAITING_REVIEW"
    assert run["invoicesIssued"] > 0
    assert summary_rows(app) == expected_rows(run)
    assert {status for *_, status in summary_rows(app)} == {"DRAFT"}
    assert metrics(app)["Drafts"] == str(run["invoicesIssued"])
    assert app.button(key=f"{KEY}.run").disabled

    app.button(key=f"{KEY}.discard").click().run()
    app.button(key=f"{KEY}.review.confirm").click().run()

    assert not app.exception
    assert latest_run(api_server, token)["status"] == "DISCARDED"
    assert messages(app, "success") == [f"Run #{run['id']} of {date_of(app)} was discarded."]
    assert "Its drafts were discarded." in [caption.value for caption in app.caption]
    assert not app.button(key=f"{KEY}.run").disabled


def test_review_run_awaiting_is_found_when_the_page_opens_and_finalize_issues_numbers(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    token = REVIEW_FINALIZE.editor_token
    start_confirmed_run(open_dashboard(token, PAGE), KEY)
    drafts = latest_run(api_server, token)
    assert drafts["status"] == "AWAITING_REVIEW"

    app = open_dashboard(token, PAGE)
    assert summary_rows(app) == expected_rows(drafts)
    app.button(key=f"{KEY}.finalize").click().run()
    app.button(key=f"{KEY}.review.confirm").click().run()

    assert not app.exception
    issued = latest_run(api_server, token)
    assert issued["status"] == "COMPLETED"
    assert summary_rows(app) == expected_rows(issued)
    assert all(row[0].startswith("FINALIZE-") for row in summary_rows(app))
    assert {status for *_, status in summary_rows(app)} <= {"UNPAID", "PAID"}
    assert metrics(app)["Invoices"] == str(drafts["invoicesIssued"])
    assert money_shown(metrics(app)["Amount total"]) == Decimal(drafts["amountIssued"])


def test_view_only_token_hides_run_bulk_now(open_dashboard: OpenDashboard):
    app = open_dashboard(DEMO_ANALYST_TOKEN, PAGE)

    assert f"{KEY}.run" not in [button.key for button in app.button]
    assert messages(app, "info") == [
        "Starting a run needs the billing.edit permission; this token can only view."
    ]


def test_client_picker_searches_clients_and_opens_their_billing(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    found = api_server.graphql(
        DEMO_EDITOR_TOKEN, '{ clients(search: "an") { id name billingUrl } }'
    )["clients"]
    app = open_dashboard(DEMO_EDITOR_TOKEN, PAGE)

    app.text_input(key=f"{KEY}.client_search").input("an").run()
    picker = app.selectbox(key=f"{KEY}.client")
    assert picker.options[1:] == [option_label(app, client) for client in found]
    picker.select(found[0]["id"]).run()

    [link] = app.get("link_button")
    assert link.proto.label == "Open Client Billing"
    assert link.proto.url == found[0]["billingUrl"]


def option_label(app, client: dict) -> str:
    return next(option for option in app.selectbox[0].options if f"#{client['id']} " in option)


def date_of(app) -> str:
    return metrics(app)["Run date"]


PREVIEW = """
{ invoiceRunPreview { eligibleClients clientsBilled lines total currency } }
"""


def test_the_dry_run_shows_what_the_run_then_bills(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    preview = api_server.graphql(DRY_RUN.editor_token, PREVIEW)["invoiceRunPreview"]
    assert preview["clientsBilled"] > 0, "the lab tenant has something due"
    app = open_dashboard(DRY_RUN.editor_token, PAGE)

    app.button(key=f"{KEY}.dry_run").click().run()

    shown = metrics(app)
    assert shown["Clients billed"] == (
        f"{preview['clientsBilled']:,} of {preview['eligibleClients']:,}"
    )
    assert money_shown(shown["Amount"]) == Decimal(preview["total"])
    assert shown["Invoice lines"] == f"{preview['lines']:,}"
    assert api_server.graphql(DRY_RUN.editor_token, LATEST_RUN)["invoiceRuns"]["edges"] == []

    start_confirmed_run(app, KEY)
    run = latest_run(api_server, DRY_RUN.editor_token)
    assert run["status"] == "COMPLETED"
    assert run["invoicesIssued"] == preview["clientsBilled"]
    assert Decimal(run["amountIssued"]) == Decimal(preview["total"])


def test_a_recent_run_opens_its_summary_and_an_invoice_its_detail(
    api_server: RunningApi, open_dashboard: OpenDashboard
):
    app = open_dashboard(RUN_HISTORY.editor_token, PAGE)
    if not api_server.graphql(RUN_HISTORY.editor_token, LATEST_RUN)["invoiceRuns"]["edges"]:
        start_confirmed_run(app, KEY)
    run = latest_run(api_server, RUN_HISTORY.editor_token)
    app = open_dashboard(RUN_HISTORY.editor_token, PAGE)

    app.session_state[f"{KEY}.history.table"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    app.run()

    assert app.query_params["run"] == run["id"]
    summary = next(
        frame.value for frame in app.dataframe if frame.key == f"{KEY}.history.summary_table"
    )
    assert list(summary["Number"]) == [row[0] for row in expected_rows(run)][: len(summary)]

    first = run["invoices"]["edges"][0]["node"]
    app.query_params["invoice"] = first["id"]
    app.run()
    assert any(f"### {first['displayNumber']}" in item.value for item in app.markdown)
    assert not app.exception
