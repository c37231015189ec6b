"""Security: the depth, alias and token limits refuse every operation of the schema that goes past
them (generated from it), before anything runs, so a mutation past a limit changes nothing.

(tests/graph/test_limits.py shows each limit on one query, that introspection passes them, and
that a server fault reaches the client without its details.)
"""

from __future__ import annotations

import httpx
import pytest

from graph.schema import MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS
from tests.graph.ws import init, messages_until_done, subscribe, ws_connect
from tests.reliability.schema_walk import (
    Kind,
    Operation,
    aliased,
    api_schema,
    deep_selection,
    operation,
    reaches,
    root_fields,
    root_type,
)
from tests.reliability.snapshot import changed_tables, fingerprint
from tests.reliability.tenants import OWN_ID, Tenancy

# The limits act before the database is reached: one backend is enough.
pytestmark = [pytest.mark.asyncio, pytest.mark.postgres_only]

SCHEMA = api_schema()
HTTP_OPERATIONS: list[tuple[Kind, str]] = [
    (kind, name) for kind in ("query", "mutation") for name in root_fields(SCHEMA, kind)
]


def minimal(kind: Kind, name: str, select: str | None = None) -> Operation:
    return operation(
        SCHEMA,
        kind,
        name,
        id_value=str(OWN_ID),
        every_id=True,
        depth=0,
        select=select,
    )


def too_deep(kind: Kind, name: str) -> Operation:
    """The operation with a selection one level deeper than the limit allows."""
    root = root_type(SCHEMA, kind)
    assert root is not None
    return minimal(kind, name, deep_selection(root.fields[name].type, MAX_QUERY_DEPTH))


def too_long(kind: Kind, name: str) -> Operation:
    """The operation asking for `__typename` more times than the token limit allows."""
    return minimal(kind, name, " {" + " __typename" * MAX_TOKENS + " }")


LIMITS = {
    "depth": (too_deep, f"exceeds maximum operation depth of {MAX_QUERY_DEPTH}"),
    "aliases": (lambda kind, name: aliased(minimal(kind, name), MAX_ALIASES + 1), "aliases"),
    "tokens": (too_long, f"more than {MAX_TOKENS} tokens"),
}


async def test_the_generated_documents_are_valid_within_the_limits(
    api: httpx.AsyncClient, tenancy: Tenancy
) -> None:
    """The counterpart: the same documents one step inside each limit are not refused by it."""
    for kind, name in HTTP_OPERATIONS:
        for document in (
            aliased(minimal(kind, name), MAX_ALIASES).document,
            minimal(kind, name).document,
        ):
            response = await api.post(
                "/graphql",
                json={"query": document, "variables": minimal(kind, name).variables},
                headers=tenancy.acme.viewer.headers,
            )
            messages = [error["message"] for error in response.json().get("errors") or []]
            assert not any("depth" in m or "aliases" in m or "tokens" in m for m in messages), (
                messages
            )


@pytest.mark.parametrize("limit", sorted(LIMITS))
@pytest.mark.parametrize(("kind", "name"), HTTP_OPERATIONS)
async def test_every_operation_past_a_limit_is_refused_before_it_runs(
    api: httpx.AsyncClient, tenancy: Tenancy, limit: str, kind: Kind, name: str
) -> None:
    build, message = LIMITS[limit]
    root = root_type(SCHEMA, kind)
    assert root is not None
    if limit == "depth" and not reaches(root.fields[name].type, MAX_QUERY_DEPTH):
        return  # the schema itself bounds how deep this operation can be asked
    op = build(kind, name)
    before = await fingerprint()
    response = await api.post("/graphql", json=op.body, headers=tenancy.acme.editor.headers)
    body = response.json()
    assert body.get("data") is None, body
    assert message in body["errors"][0]["message"]
    assert changed_tables(before, await fingerprint()) == []


@pytest.mark.parametrize("name", root_fields(SCHEMA, "subscription"))
async def test_every_subscription_past_the_depth_limit_is_refused(
    ws_url: str, tenancy: Tenancy, name: str
) -> None:
    op = too_deep("subscription", name)
    async with ws_connect(ws_url, headers=tenancy.acme.viewer.headers) as ws:
        await init(ws)
        await subscribe(ws, op.document, op.variables)
        messages = await messages_until_done(ws)
    errors = messages[0]["payload"]
    errors = errors if isinstance(errors, list) else errors.get("errors")
    assert any(f"maximum operation depth of {MAX_QUERY_DEPTH}" in e["message"] for e in errors)
    assert not any(m["type"] == "next" and m["payload"].get("data") for m in messages)
