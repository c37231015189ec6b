"""Read a bank statement file, CAMT.053 or MT940, into one BankStatement, all or nothing.

Any problem (not the format, a missing account, an entry without amount or date, an amount
with more digits than its currency, an unknown currency, a truncated file, too large a file)
raises StatementUnreadable with where it is; no entry of such a file is returned.
"""

from __future__ import annotations

from billing.bank_statements.camt053 import read_camt053
from billing.bank_statements.model import BankStatement, StatementFormat, StatementUnreadable
from billing.bank_statements.mt940_reader import read_mt940

# A day's statement of a busy account is a few MB; more is not a statement a person uploads.
MAX_STATEMENT_BYTES = 20 * 1024 * 1024
MAX_STATEMENT_ENTRIES = 50_000


def parse_statement(
    content: str | bytes,
    statement_format: StatementFormat | str,
    *,
    max_bytes: int = MAX_STATEMENT_BYTES,
    max_entries: int = MAX_STATEMENT_ENTRIES,
) -> BankStatement:
    """The statement in `content` read as the given format; StatementUnreadable if any of it
    cannot be read."""
    try:
        chosen = StatementFormat(statement_format)
    except ValueError:
        names = ", ".join(StatementFormat)
        raise StatementUnreadable(
            f"{statement_format!r} is not a statement format ({names})"
        ) from None
    _check_size(content, max_bytes)
    if chosen is StatementFormat.CAMT053:
        return read_camt053(content, max_entries)
    return read_mt940(content, max_entries)


def parse_camt053(content: str | bytes, **limits: int) -> BankStatement:
    """A CAMT.053 statement (any camt.053.001 version)."""
    return parse_statement(content, StatementFormat.CAMT053, **limits)


def parse_mt940(content: str | bytes, **limits: int) -> BankStatement:
    """An MT940 statement."""
    return parse_statement(content, StatementFormat.MT940, **limits)


def _check_size(content: str | bytes, max_bytes: int) -> None:
    # Counted before parsing: a statement is refused without reading it into a tree.
    size = (
        len(content)
        if isinstance(content, bytes)
        else len(content.encode("utf-8", "surrogatepass"))
    )
    if size > max_bytes:
        raise StatementUnreadable(
            f"the file has {size:,} bytes, more than the {max_bytes:,} a statement may have; "
            "split it"
        )
    if not size:
        raise StatementUnreadable("the file is empty")
    if isinstance(content, str):
        try:
            content.encode("utf-8")
        except UnicodeEncodeError as error:
            # A lone surrogate: text no file on disk can hold, so no bank wrote it.
            raise StatementUnreadable(
                f"character {error.start + 1:,} of the text is not a Unicode character"
            ) from None
