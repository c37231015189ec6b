"""Reading GraphQL answers: error codes wherever they are, not-found answers, leaked objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.reliability.schema_walk import Operation

NOT_FOUND = "NOT_FOUND"


def top_level_codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors") or []]


def payload_codes(body: dict[str, Any], op: Operation) -> list[str]:
    """The codes in the mutation payload's `errors`, where it has one."""
    value = (body.get("data") or {}).get(op.field)
    if not isinstance(value, dict):
        return []
    return [error.get("code") for error in value.get("errors") or []]


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _objects(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _objects(inner)


def objects_with_id(body: dict[str, Any], object_id: int) -> list[dict[str, Any]]:
    """Every object in the data whose id is `object_id`."""
    return [obj for obj in _objects(body.get("data")) if obj.get("id") == str(object_id)]


def is_not_found(body: dict[str, Any], op: Operation) -> bool:
    """The answer says the object does not exist: a NOT_FOUND error (top-level or in the
    payload), a null result, or an empty list or connection."""
    if NOT_FOUND in top_level_codes(body) or NOT_FOUND in payload_codes(body, op):
        return True
    if body.get("errors"):
        return False
    value = (body.get("data") or {}).get(op.field, "absent")
    if value is None or value == []:
        return True
    return isinstance(value, dict) and value.get("totalCount") == 0
