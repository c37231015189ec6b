"""Ids on the wire: the decimal row id as a GraphQL ID."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # BIGINT
# Longer text is no id, and is not handed to int() (which refuses more than 4,300 digits).
MAX_ID_DIGITS = len(str(MAX_ID))


def parse_id(value: object) -> int | None:
    """The row id an ID names, or None where it cannot name a row (which reads as "not found")."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > MAX_ID_DIGITS:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
