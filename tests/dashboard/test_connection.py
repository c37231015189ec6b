"""How the dashboard reaches the API, and what it says when it cannot: an unreachable address,
a refused token, a missing permission."""

from __future__ import annotations

import pytest

from dashboard import session
from dashboard.api import GraphQLClient, PermissionMissing, TokenRefused, void_invoice
from dashboard.session import SHARED_TOKEN_REFUSED, SIGN_IN_MESSAGE
from tests.dashboard.conftest import OpenDashboard, RunningApi
from tests.dashboard.screen import messages, metrics
from tests.dashboard.tenants import DEMO_ANALYST_TOKEN, DEMO_EDITOR_TOKEN
from tests.support.services import free_port


def test_unreachable_api_is_reported_in_words(open_dashboard: OpenDashboard):
    address = f"http://127.0.0.1:{free_port()}/graphql"

    app = open_dashboard(DEMO_EDITOR_TOKEN, api_url=address)

    assert not app.exception
    assert messages(app, "error") == [
        f"Cannot reach the billing API at {address}. Check that it is running "
        "(`ispbox serve`) and that ISPBOX_API_URL points to it."
    ]
    assert metrics(app) == {}


@pytest.mark.parametrize("page", [None, "pages/bulk_run.py", "pages/client_billing.py"])
def test_refused_token_is_reported_in_words_on_every_page(
    open_dashboard: OpenDashboard, page: str | None
):
    app = open_dashboard("no-such-token", page)

    assert not app.exception
    assert messages(app, "error") == [
        "The API refused the token (HTTP 401): it is unknown or has been revoked. "
        "Enter a valid API token in the sidebar."
    ]


def test_without_a_token_the_dashboard_asks_to_sign_in(open_dashboard: OpenDashboard):
    app = open_dashboard(None)

    assert messages(app, "info") == [SIGN_IN_MESSAGE]
    assert messages(app, "error") == []
    assert metrics(app) == {}


def test_production_api_refuses_the_token_the_dashboard_was_started_with(
    open_dashboard: OpenDashboard, monkeypatch: pytest.MonkeyPatch
):
    answer_as_production(monkeypatch)

    app = open_dashboard(DEMO_EDITOR_TOKEN)

    assert messages(app, "info") == [SHARED_TOKEN_REFUSED]
    assert metrics(app) == {}


def test_production_api_takes_the_token_a_visitor_enters(
    open_dashboard: OpenDashboard, monkeypatch: pytest.MonkeyPatch
):
    answer_as_production(monkeypatch)
    app = open_dashboard(DEMO_EDITOR_TOKEN)

    app.sidebar.text_input(key="api_token").input(DEMO_ANALYST_TOKEN).run()

    assert messages(app, "info") == []
    assert "Total Invoices" in metrics(app)
    assert "Avery Analyst · Northwind Fiber" in [caption.value for caption in app.sidebar.caption]


def answer_as_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test API runs in development; its viewer answer is changed to production's."""
    viewer_of = session.fetch_viewer
    monkeypatch.setattr(
        session,
        "fetch_viewer",
        lambda api: viewer_of(api).model_copy(update={"environment": "production"}),
    )


def test_signing_out_forgets_the_token_of_the_browser_session(open_dashboard: OpenDashboard):
    app = open_dashboard(None)
    app.sidebar.text_input(key="api_token").input(DEMO_ANALYST_TOKEN).run()

    app.sidebar.button(key="sign_out").click().run()

    assert messages(app, "info") == [SIGN_IN_MESSAGE]
    assert app.sidebar.text_input(key="api_token").value == ""
    assert metrics(app) == {}


def test_token_entered_in_the_sidebar_replaces_the_environment_token(
    open_dashboard: OpenDashboard,
):
    app = open_dashboard("no-such-token")

    app.sidebar.text_input(key="api_token").input(DEMO_ANALYST_TOKEN).run()

    assert messages(app, "error") == []
    assert "Total Invoices" in metrics(app)
    assert "Avery Analyst · Northwind Fiber" in [caption.value for caption in app.sidebar.caption]


def test_sidebar_token_holds_on_the_other_pages(open_dashboard: OpenDashboard):
    app = open_dashboard("no-such-token")
    app.sidebar.text_input(key="api_token").input(DEMO_ANALYST_TOKEN).run()

    app.switch_page("pages/bulk_run.py").run()

    assert messages(app, "error") == []
    assert [title.value for title in app.title] == ["Bulk invoice run"]


def test_missing_permission_raises_with_the_api_message(api_server: RunningApi):
    invoice_id = api_server.graphql(
        DEMO_ANALYST_TOKEN, "{ invoices(first: 1) { edges { node { id } } } }"
    )["invoices"]["edges"][0]["node"]["id"]
    api = GraphQLClient(api_server.graphql_url, DEMO_ANALYST_TOKEN)

    with pytest.raises(PermissionMissing) as refused:
        void_invoice(api, invoice_id, reset_service_schedule=False, reason=None)

    assert str(refused.value) == "Permission missing: Needs the billing.edit permission."


def test_refused_token_raises_token_refused(api_server: RunningApi):
    api = GraphQLClient(api_server.graphql_url, "no-such-token")

    with pytest.raises(TokenRefused):
        api.fetch_viewer()
