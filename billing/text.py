"""Text the database can store, and text that must stay on one line.

PostgreSQL text holds no NUL character, and a string must encode as UTF-8 (a lone surrogate,
which JSON can carry, does not). Names, numbers, keys, descriptions, addresses and mailbox
settings end up in email headers, PDF lines and log lines, where a line break or another control
character forges a header or a row: such text is one line of printable characters.
"""

from __future__ import annotations

import re

# C0 controls (tab, CR and LF among them), DEL, C1 controls, and Unicode's line and paragraph
# separators, which some mail and PDF software treat as line breaks.
LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def unstorable_text(value: str) -> str | None:
    """Why the text cannot be stored, in words ("must …"); None when it can."""
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    return None


def single_line_text_problem(value: str) -> str | None:
    """Why the text cannot be a single line of printable text (a name, a number, a key, a
    description, an email address), in words ("must …"); None when it can."""
    if problem := unstorable_text(value):
        return problem
    if match := LINE_BREAKING.search(value):
        return (
            "must be a single line without control characters "
            f"(found U+{ord(match.group()):04X} at position {match.start() + 1})"
        )
    return None
