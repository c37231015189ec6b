"""Request ids: every response carries one, a masked error names it, and the log tells client
errors (one line) from faults (traceback and id)."""

from __future__ import annotations

import logging

import httpx
import pytest

from graph.request_id import HEADER
from graph.types.viewer import Viewer
from tests.graph.conftest import Team

pytestmark = pytest.mark.asyncio

VIEWER = "{ viewer { userName } }"
INVOICES = "{ invoices(first: 1) { totalCount } }"


def fail_unexpectedly(*args: object, **kwargs: object) -> None:
    raise RuntimeError("database went away")


async def test_every_response_carries_a_request_id(api: httpx.AsyncClient, acme: Team) -> None:
    answered = await api.post("/graphql", json={"query": VIEWER}, headers=acme.viewer.headers)
    refused = await api.post("/graphql", json={"query": VIEWER})
    health = await api.get("/health")

    ids = [response.headers.get(HEADER) for response in (answered, refused, health)]
    assert all(ids) and len(set(ids)) == 3


async def test_a_sane_request_id_from_the_caller_is_kept(
    api: httpx.AsyncClient, acme: Team
) -> None:
    headers = {**acme.viewer.headers, HEADER: "trace-42.abc:7"}
    response = await api.post("/graphql", json={"query": VIEWER}, headers=headers)
    assert response.headers[HEADER] == "trace-42.abc:7"


@pytest.mark.parametrize("given", [b"a b", b"x" * 129, "id\u00e9".encode(), b"line;drop", b""])
async def test_an_unusable_request_id_is_replaced(
    api: httpx.AsyncClient, acme: Team, given: bytes
) -> None:
    headers = {**acme.viewer.headers, HEADER: given}
    response = await api.post("/graphql", json={"query": VIEWER}, headers=headers)
    assert response.headers[HEADER].encode() != given
    assert 0 < len(response.headers[HEADER]) <= 128


async def test_an_unexpected_error_names_its_request_id_to_the_client_and_the_log(
    api: httpx.AsyncClient,
    acme: Team,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(Viewer, "of", fail_unexpectedly)

    with caplog.at_level(logging.INFO, logger="graph.errors"):
        response = await api.post("/graphql", json={"query": VIEWER}, headers=acme.viewer.headers)

    [error] = response.json()["errors"]
    request_id = response.headers[HEADER]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"requestId": request_id}
    [record] = [r for r in caplog.records if r.name == "graph.errors"]
    assert record.levelno == logging.ERROR
    assert request_id in record.getMessage()
    assert record.exc_info is not None and "database went away" in caplog.text


async def test_an_expected_client_error_is_one_log_line_without_traceback(
    api: httpx.AsyncClient, acme: Team, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = await api.post(
            "/graphql", json={"query": INVOICES}, headers=acme.stranger.headers
        )

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    records = [
        r for r in caplog.records if r.levelno >= logging.INFO and "FORBIDDEN" in r.getMessage()
    ]
    [record] = records
    assert record.levelno == logging.INFO
    assert record.exc_info is None
    assert "\n" not in record.getMessage()
    assert response.headers[HEADER] in record.getMessage()
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_validation_error_is_logged_without_traceback(
    api: httpx.AsyncClient, acme: Team, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await api.post("/graphql", json={"query": "{ nope }"}, headers=acme.viewer.headers)

    assert [r for r in caplog.records if "nope" in r.getMessage()]
    assert not [r for r in caplog.records if r.exc_info]
