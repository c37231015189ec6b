"""Ids on the wire: the decimal row id as a GraphQL ID."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # BIGINT


def parse_id(value: object) -> int | None:
    """The row id an ID names, or None where it cannot name a row (which reads as "not found")."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
