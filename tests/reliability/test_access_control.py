"""Security, for every query, mutation and subscription the schema has (generated from it, so a
new operation is covered without being listed): no token → 401; no billing.view → FORBIDDEN on
reads; view-only → FORBIDDEN on every mutation, nothing changed; another tenant's ids → not
found, nothing changed, nothing of theirs shown."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.graph.conftest import Team
from tests.graph.ws import init, messages_until_done, receive, subscribe, ws_connect
from tests.reliability.responses import (
    is_not_found,
    objects_with_id,
    payload_codes,
    top_level_codes,
)
from tests.reliability.schema_walk import Kind, Operation, api_schema, operation, root_fields
from tests.reliability.snapshot import changed_tables, fingerprint
from tests.reliability.tenants import FOREIGN_ID, OWN_ID, Tenancy
from tests.support.builders import ApiUser

pytestmark = pytest.mark.asyncio

SCHEMA = api_schema()
QUERIES = root_fields(SCHEMA, "query")
MUTATIONS = root_fields(SCHEMA, "mutation")
SUBSCRIPTIONS = root_fields(SCHEMA, "subscription")
EVERY_OPERATION: list[tuple[Kind, str]] = [
    (kind, name)
    for kind, names in (
        ("query", QUERIES),
        ("mutation", MUTATIONS),
        ("subscription", SUBSCRIPTIONS),
    )
    for name in names
]
# Reads any signed-in user may make (so a client can tell a missing permission from a missing
# token). Every other read needs billing.view.
PUBLIC_QUERIES = {"viewer"}


def generated(
    kind: Kind, name: str, *, id_value: int = OWN_ID, every_id: bool = False
) -> Operation:
    return operation(SCHEMA, kind, name, id_value=str(id_value), every_id=every_id, depth=1)


async def post(api: httpx.AsyncClient, op: Operation, headers: dict[str, str]) -> httpx.Response:
    return await api.post("/graphql", json=op.body, headers=headers)


async def answer(api: httpx.AsyncClient, op: Operation, user: ApiUser) -> dict[str, Any]:
    response = await post(api, op, user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def subscription_messages(
    ws_url: str, op: Operation, headers: dict[str, str]
) -> list[dict[str, Any]]:
    async with ws_connect(ws_url, headers=headers) as ws:
        assert (await init(ws))["type"] == "connection_ack"
        await subscribe(ws, op.document, op.variables)
        return await messages_until_done(ws)


def subscription_codes(messages: list[dict[str, Any]]) -> list[str | None]:
    first = messages[0]
    errors = first["payload"] if first["type"] == "error" else first["payload"].get("errors")
    return [error.get("extensions", {}).get("code") for error in errors or []]


async def test_the_generated_operations_cover_the_whole_schema() -> None:
    assert set(QUERIES) >= PUBLIC_QUERIES | {"invoices", "invoice", "invoiceRun"}
    assert {"runBulk", "voidInvoice", "sendInvoice", "deleteInvoice"} <= set(MUTATIONS)
    assert "invoiceRunProgress" in SUBSCRIPTIONS
    for kind, name in EVERY_OPERATION:
        assert name in generated(kind, name).document


@pytest.mark.parametrize(("kind", "name"), EVERY_OPERATION)
async def test_every_operation_without_a_valid_token_is_401(
    api: httpx.AsyncClient, tenancy: Tenancy, kind: Kind, name: str
) -> None:
    op = generated(kind, name, every_id=True)
    before = await fingerprint()
    for headers in ({}, {"Authorization": "Bearer unknown-token"}, {"Authorization": "Basic YTpi"}):
        response = await post(api, op, headers)
        assert response.status_code == 401, headers
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert changed_tables(before, await fingerprint()) == []


@pytest.mark.parametrize("name", SUBSCRIPTIONS)
async def test_every_subscription_without_a_valid_token_is_refused_at_connection(
    ws_url: str, tenancy: Tenancy, name: str
) -> None:
    async with ws_connect(ws_url) as ws:
        with pytest.raises(ConnectionClosed):
            await init(ws, {"Authorization": "Bearer unknown-token"})
            await subscribe(ws, generated("subscription", name).document)
            await receive(ws)
    assert ws.close_code == 4403


@pytest.mark.parametrize("name", QUERIES)
async def test_every_read_but_the_public_ones_needs_billing_view(
    api: httpx.AsyncClient, tenancy: Tenancy, name: str
) -> None:
    body = await answer(api, generated("query", name), tenancy.acme.stranger)
    if name in PUBLIC_QUERIES:
        assert "errors" not in body and body["data"][name] is not None
    else:
        assert top_level_codes(body) == ["FORBIDDEN"], body
        assert (body["data"] or {}).get(name) is None


@pytest.mark.parametrize("name", SUBSCRIPTIONS)
async def test_every_subscription_needs_billing_view(
    ws_url: str, tenancy: Tenancy, name: str
) -> None:
    messages = await subscription_messages(
        ws_url, generated("subscription", name), tenancy.acme.stranger.headers
    )
    assert subscription_codes(messages) == ["FORBIDDEN"]
    assert not any(m["type"] == "next" and m["payload"].get("data") for m in messages)


@pytest.mark.parametrize("name", MUTATIONS)
@pytest.mark.parametrize("who", ["viewer", "stranger"])
async def test_every_mutation_needs_billing_edit_and_a_refusal_changes_nothing(
    api: httpx.AsyncClient, tenancy: Tenancy, name: str, who: str
) -> None:
    user = getattr(tenancy.acme, who)
    # Every id names an existing object of the caller's own tenant.
    op = generated("mutation", name, every_id=True)
    before = await fingerprint()
    body = await answer(api, op, user)
    assert top_level_codes(body) == ["FORBIDDEN"], body
    assert body["data"] is None
    assert changed_tables(before, await fingerprint()) == []


def with_id_arguments(kind: Kind, names: list[str]) -> list[str]:
    return [name for name in names if generated(kind, name, every_id=True).id_arguments]


@pytest.mark.parametrize("name", with_id_arguments("query", QUERIES))
async def test_ids_of_the_callers_own_tenant_are_found(
    api: httpx.AsyncClient, tenancy: Tenancy, name: str
) -> None:
    """The counterpart of the next test: the same ids, asked by their owner, name objects."""
    body = await answer(api, generated("query", name, every_id=True), tenancy.acme.viewer)
    assert not is_not_found(body, generated("query", name, every_id=True)), body


@pytest.mark.parametrize(
    ("kind", "name"),
    [("query", n) for n in with_id_arguments("query", QUERIES)]
    + [("mutation", n) for n in with_id_arguments("mutation", MUTATIONS)],
)
async def test_another_tenants_ids_are_not_found_and_change_nothing(
    api: httpx.AsyncClient, tenancy: Tenancy, kind: Kind, name: str
) -> None:
    op = generated(kind, name, id_value=FOREIGN_ID, every_id=True)
    before = await fingerprint()
    body = await answer(api, op, tenancy.acme.editor)
    assert is_not_found(body, op), body
    assert_nothing_of(tenancy.globex, body)
    assert changed_tables(before, await fingerprint()) == []
    if kind == "mutation":
        assert payload_codes(body, op) == ["NOT_FOUND"], body


@pytest.mark.parametrize("name", with_id_arguments("subscription", SUBSCRIPTIONS))
async def test_another_tenants_ids_are_not_found_in_subscriptions(
    ws_url: str, tenancy: Tenancy, name: str
) -> None:
    op = generated("subscription", name, id_value=FOREIGN_ID, every_id=True)
    messages = await subscription_messages(ws_url, op, tenancy.acme.viewer.headers)
    assert subscription_codes(messages) == ["NOT_FOUND"]
    for message in messages:
        assert_nothing_of(tenancy.globex, message.get("payload") or {})


def assert_nothing_of(owner: Team, body: Any) -> None:
    text = str(body)
    assert owner.tenant.key.upper() not in text, f"{owner.tenant.key}'s data shown: {text}"
    if isinstance(body, dict):
        assert objects_with_id(body, FOREIGN_ID) == []
