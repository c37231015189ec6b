"""The Generation Summary of a run that could not email some invoices, and its wording for one
of a kind ("1 draft", not "1 drafts"), drawn from the run as the API returns it."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from dashboard.components.run_progress import progress_text
from dashboard.formatting import count_of
from dashboard.models import InvoiceRun
from tests.dashboard.screen import messages, metrics


def run_json(**overrides: Any) -> dict[str, Any]:
    """An invoice run as the API returns it."""
    run = {
        "id": "7",
        "billingDate": "2026-12-01",
        "status": "COMPLETED_WITH_ERRORS",
        "trigger": "MANUAL",
        "review": False,
        "createdAt": "2026-12-01T09:00:00+00:00",
        "startedAt": "2026-12-01T09:00:01+00:00",
        "finishedAt": "2026-12-01T09:00:05+00:00",
        "clientsTotal": 3,
        "clientsProcessed": 3,
        "invoicesIssued": 3,
        "amountIssued": "1234.50",
        "emailFailures": 0,
        "client": None,
        "errors": [],
    }
    return {**run, **overrides}


def email_error(client: str) -> dict[str, Any]:
    """The error a run records for an invoice it could not email."""
    return {
        "stage": "RUNTIME",
        "message": "invoice INV-000001 was not emailed: The client has no email address.",
        "client": {"name": client},
    }


def render_summary(run: dict) -> None:
    """The summary of `run`, against an API that lists no invoices of it."""
    import httpx

    from dashboard.api import GraphQLClient
    from dashboard.components.run_summary import render_run_summary
    from dashboard.models import InvoiceRun

    def no_invoices(request: httpx.Request) -> httpx.Response:
        page = {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}}
        return httpx.Response(
            200, json={"data": {"invoiceRun": {"invoices": {**page, "edges": []}}}}
        )

    http = httpx.Client(transport=httpx.MockTransport(no_invoices))
    api = GraphQLClient("http://billing.test/graphql", "token", http=http)
    render_run_summary(api, InvoiceRun.model_validate(run), key="summary", currency="USD")


def render_review(run: dict) -> None:
    from dashboard.components.run_review import render_review_actions
    from dashboard.models import InvoiceRun, Viewer

    viewer = Viewer(
        user_name="Emery Editor",
        tenant_name="Northwind Fiber",
        permissions=[],
        environment="development",
        currency="USD",
    )
    render_review_actions(
        None, viewer, InvoiceRun.model_validate(run), key="review", currency="USD"
    )


def open_summary(run: dict[str, Any]) -> AppTest:
    return AppTest.from_function(render_summary, args=(run,)).run()


def test_summary_counts_the_invoices_that_could_not_be_emailed():
    errors = [
        email_error("Dana Duenow"),
        {"stage": "RUNTIME", "message": "Numbering failed.", "client": {"name": "Eli Ek"}},
        email_error("Flo Fern"),
    ]

    app = open_summary(run_json(errors=errors, emailFailures=2))

    assert not app.exception
    assert messages(app, "warning") == [
        "2 invoices could not be emailed: see Errors below. "
        "Send them from the invoice list once the cause is mended."
    ]
    listed = app.dataframe[0].value
    assert list(listed["Client"]) == ["Dana Duenow", "Eli Ek", "Flo Fern"]
    assert list(listed["Stage"]) == ["Runtime", "Runtime", "Runtime"]


def test_summary_says_one_invoice_in_the_singular():
    app = open_summary(run_json(errors=[email_error("Dana Duenow")], emailFailures=1))

    assert messages(app, "warning")[0].startswith("1 invoice could not be emailed")


def test_summary_without_email_failures_warns_of_none():
    app = open_summary(run_json(status="COMPLETED"))

    assert messages(app, "warning") == []
    assert "No errors." in [caption.value for caption in app.caption]


def test_summary_shows_the_currency_on_the_amount_total():
    app = open_summary(run_json())

    assert metrics(app)["Amount total"] == "1,234.50 USD"


def test_review_of_one_draft_says_one_draft():
    run = run_json(status="AWAITING_REVIEW", review=True, invoicesIssued=1, amountIssued="9.99")

    app = AppTest.from_function(render_review, args=(run,)).run()

    assert not app.exception
    assert messages(app, "warning")[0].startswith("Run #7 of 2026-12-01 awaits review: 1 draft ")


def test_progress_of_one_invoice_says_one_invoice():
    run = InvoiceRun.model_validate(
        run_json(status="COMPLETED", clientsTotal=1, clientsProcessed=1)
    )
    one = InvoiceRun.model_validate(
        run_json(status="COMPLETED", clientsTotal=1, clientsProcessed=1, invoicesIssued=1)
    )

    assert progress_text(run) == "Completed: 1 of 1 client processed, 3 invoices."
    assert progress_text(one) == "Completed: 1 of 1 client processed, 1 invoice."


def test_counts_take_their_noun_in_the_singular_for_one():
    assert [count_of(n, "draft") for n in (0, 1, 2, 1234)] == [
        "0 drafts",
        "1 draft",
        "2 drafts",
        "1,234 drafts",
    ]
