"""Bad input the fuzzing found, each pinned down: refused with a clear error, nothing changed.

PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded: such text is refused
before it reaches the database. A billing date whose due date would be past 9999-12-31 is refused.
A request body that is JSON but not an object is a 400, not a server fault.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from billing.imports.demo_data import demo_document
from billing.imports.importer import ImportRejected, import_document
from graph.queries import MAX_SEARCH_LENGTH, MAX_STATUSES
from orm.models import Client
from tests.reliability.responses import top_level_codes
from tests.reliability.snapshot import changed_tables, fingerprint
from tests.reliability.tenants import OWN_ID, Tenancy
from tests.support.keys import TEST_SECRET_KEY

pytestmark = pytest.mark.asyncio

UNSTORABLE = ["\x00", "Acme\x00", "\ud800"]


async def ask(api: httpx.AsyncClient, tenancy: Tenancy, query: str, **variables: Any) -> dict:
    # Encoded here: JSON escapes a lone surrogate, which httpx's UTF-8 encoding cannot carry.
    response = await api.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}).encode(),
        headers={**tenancy.acme.editor.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("body", [b"null", b"7", b'"query"', b"true"])
async def test_a_body_that_is_json_but_not_an_object_is_refused_with_400(
    api: httpx.AsyncClient, tenancy: Tenancy, body: bytes
) -> None:
    response = await api.post(
        "/graphql",
        content=body,
        headers={**tenancy.acme.editor.headers, "Content-Type": "application/json"},
    )
    assert (response.status_code, response.text) == (400, "The request body must be a JSON object.")


@pytest.mark.parametrize("search", UNSTORABLE)
@pytest.mark.parametrize(
    "query",
    [
        "query($s: String) { clients(search: $s) { id } }",
        "query($s: String) { invoices(filter: {search: $s}) { totalCount } }",
    ],
    ids=["clients", "invoices"],
)
async def test_a_search_the_database_cannot_compare_is_invalid_input(
    api: httpx.AsyncClient, tenancy: Tenancy, query: str, search: str
) -> None:
    body = await ask(api, tenancy, query, s=search)
    assert top_level_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "search"


@pytest.mark.parametrize("reason", UNSTORABLE)
async def test_a_void_reason_the_database_cannot_store_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, tenancy: Tenancy, reason: str
) -> None:
    before = await fingerprint()
    body = await ask(
        api,
        tenancy,
        "mutation($id: ID!, $r: String) { voidInvoice(input: {id: $id, reason: $r}) "
        "{ invoice { id } errors { code field message } } }",
        id=str(OWN_ID),
        r=reason,
    )
    [error] = body["data"]["voidInvoice"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "reason")
    assert changed_tables(before, await fingerprint()) == []


@pytest.mark.parametrize("billing_date", ["9999-12-31", "9999-12-20"])
async def test_a_billing_date_without_a_due_date_is_invalid_input(
    api: httpx.AsyncClient, tenancy: Tenancy, billing_date: str
) -> None:
    plan = await ask(
        api,
        tenancy,
        "query($d: Date) { invoiceRunPlan(billingDate: $d) { dueDate } }",
        d=billing_date,
    )
    assert top_level_codes(plan) == ["INVALID_INPUT"]
    assert plan["errors"][0]["extensions"]["field"] == "billingDate"


async def test_a_run_on_a_billing_date_without_a_due_date_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, tenancy: Tenancy
) -> None:
    before = await fingerprint()
    body = await ask(
        api,
        tenancy,
        "mutation($d: Date) { runBulk(input: {billingDate: $d}) "
        "{ run { id } errors { code field } } }",
        d="9999-12-31",
    )
    assert body["data"]["runBulk"] == {
        "run": None,
        "errors": [{"code": "INVALID_INPUT", "field": "billingDate"}],
    }
    assert changed_tables(before, await fingerprint()) == []


@pytest.mark.parametrize("text", UNSTORABLE)
async def test_an_import_with_text_the_database_cannot_store_is_rejected_whole(
    db: str, text: str
) -> None:
    document = json.loads(json.dumps(demo_document(5)))
    document["tenants"][0]["clients"][2]["name"] = f"Name {text}"
    document["tenants"][0]["users"][0]["token"] = text

    with pytest.raises(ImportRejected) as rejected:
        await import_document(document, signing_key=TEST_SECRET_KEY)

    problem = "must not contain NUL characters" if "\x00" in text else "must be valid Unicode text"
    assert rejected.value.problems == [
        f"tenants[0].users[0].token: {problem}",
        f"tenants[0].clients[2].name: {problem}",
    ]
    assert not await Client.exists()


async def post_raw(api: httpx.AsyncClient, tenancy: Tenancy, body: bytes) -> httpx.Response:
    return await api.post(
        "/graphql",
        content=body,
        headers={**tenancy.acme.editor.headers, "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    "query",
    [
        "query($s: String) { clients(search: $s) { id } }",
        "query($s: String) { invoices(filter: {search: $s}) { totalCount } }",
    ],
    ids=["clients", "invoices"],
)
async def test_a_search_longer_than_the_limit_is_invalid_input(
    api: httpx.AsyncClient, tenancy: Tenancy, query: str
) -> None:
    body = await ask(api, tenancy, query, s="a" * 50_001)
    assert top_level_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["message"] == (
        f"`search` must be at most {MAX_SEARCH_LENGTH} characters; 50001 were given."
    )


async def test_a_search_at_the_limit_is_served(api: httpx.AsyncClient, tenancy: Tenancy) -> None:
    body = await ask(
        api,
        tenancy,
        "query($s: String) { invoices(filter: {search: $s}) { totalCount } }",
        s="a" * MAX_SEARCH_LENGTH,
    )
    assert body["data"]["invoices"]["totalCount"] == 0


async def test_a_status_list_longer_than_the_limit_is_invalid_input(
    api: httpx.AsyncClient, tenancy: Tenancy
) -> None:
    body = await ask(
        api,
        tenancy,
        "query($st: [InvoiceStatus!]) { invoices(filter: {statuses: $st}) { totalCount } }",
        st=["PAID"] * (MAX_STATUSES + 1),
    )
    assert top_level_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "statuses"
    assert f"at most {MAX_STATUSES}" in body["errors"][0]["message"]


async def test_a_huge_status_list_is_refused_by_the_body_cap(
    api: httpx.AsyncClient, tenancy: Tenancy
) -> None:
    query = "query($st: [InvoiceStatus!]) { invoices(filter: {statuses: $st}) { totalCount } }"
    body = json.dumps({"query": query, "variables": {"st": ["PAID"] * 300_000}}).encode()
    response = await post_raw(api, tenancy, body)
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["message"]


async def test_json_nested_too_deep_is_refused_with_400(
    api: httpx.AsyncClient, tenancy: Tenancy
) -> None:
    depth = 100_000
    body = b'{"query": "{ viewer { userName } }", "variables": {"v": ' + b"[" * depth
    body += b"]" * depth + b"}}"
    response = await post_raw(api, tenancy, body)
    assert (response.status_code, response.text) == (400, "The request body is nested too deeply.")


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"query": "\xc3\x28"}'], ids=["bom", "bytes"])
async def test_a_body_that_is_not_utf8_is_refused_with_400(
    api: httpx.AsyncClient, tenancy: Tenancy, body: bytes
) -> None:
    response = await post_raw(api, tenancy, body)
    assert response.status_code == 400
    assert response.text == "The request body must be UTF-8 JSON."


@pytest.mark.parametrize("big_id", [str(2**64), "9" * 5000, "-1", "1e3"])
async def test_an_id_no_row_can_have_is_not_found(
    api: httpx.AsyncClient, tenancy: Tenancy, big_id: str
) -> None:
    body = await ask(
        api,
        tenancy,
        "query($id: ID!) { invoice(id: $id) { id } client(id: $id) { id } }",
        id=big_id,
    )
    assert body == {"data": {"invoice": None, "client": None}}
