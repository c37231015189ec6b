"""Text the database can store: PostgreSQL text holds no NUL character, and a string must encode
as UTF-8 (a lone surrogate, which JSON can carry, does not)."""

from __future__ import annotations


def unstorable_text(value: str) -> str | None:
    """Why the text cannot be stored, in words ("must …"); None when it can."""
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    return None
