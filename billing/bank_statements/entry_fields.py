"""Rules both statement formats share: amounts, accounts, wrapped text and derived references."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from stdnum import iban

from billing.bank_statements.model import BankEntry, Direction, StatementUnreadable
from billing.money import AmountError, from_minor_units, minor_unit_digits, to_minor_units

# Marks a bank reference the product derived because the bank gave none.
DERIVED_REFERENCE_PREFIX = "H:"


def currency_code(value: str | None, where: str) -> str:
    """The ISO 4217 code, refused where ISO 4217 does not know it or gives it no minor unit."""
    code = (value or "").strip().upper()
    if not code:
        raise StatementUnreadable(f"{where}: no currency")
    try:
        minor_unit_digits(code)
    except AmountError as error:
        raise StatementUnreadable(f"{where}: {error.message}") from None
    return code


def amount_in_minor_units(text: str | None, currency: str, where: str) -> tuple[Decimal, int]:
    """The amount as a Decimal and in minor units; refused when missing, not a plain decimal
    number, or with more digits than the currency has (never rounded)."""
    raw = (text or "").strip()
    if not raw:
        raise StatementUnreadable(f"{where}: no amount")
    if not re.fullmatch(r"\d+(\.\d*)?", raw):
        raise StatementUnreadable(f"{where}: {raw!r} is not an amount")
    try:
        units = to_minor_units(Decimal(raw), currency)
    except (AmountError, InvalidOperation) as error:
        message = error.message if isinstance(error, AmountError) else f"{raw!r} is not an amount"
        raise StatementUnreadable(f"{where}: {message}") from None
    return from_minor_units(units, currency), units


def account_identifier(value: str | None, where: str) -> str:
    """The account as printed without spaces: a valid IBAN, or the bank's own account id where
    the bank gives no IBAN (MT940 :25: may be "bank code/account")."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        raise StatementUnreadable(f"{where}: no account")
    # MT940 banks often append the account's currency to the IBAN ("NL91ABNA0417164300EUR").
    for candidate in (compact, compact[:-3]):
        if iban.is_valid(candidate):
            return candidate
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        raise StatementUnreadable(f"{where}: {compact} is not a valid IBAN (check digits)")
    return compact


def joined_lines(lines: Sequence[str], width: int, first_width: int | None = None) -> str | None:
    """Text a bank wrapped into lines of at most `width` characters (`first_width` for the
    first), joined again.

    A full line was cut at the width, possibly inside a word, so it continues without a space;
    a shorter line ended where the writer chose to break, so a space follows it.
    """
    parts: list[str] = []
    for index, line in enumerate(lines):
        previous_width = first_width if index == 1 and first_width is not None else width
        if index and len(lines[index - 1]) < previous_width:
            parts.append(" ")
        parts.append(line)
    text = "".join(parts).strip()
    return text or None


def direction_of(credit: bool) -> Direction:
    return Direction.CREDIT if credit else Direction.DEBIT


def with_derived_references(entries: Sequence[BankEntry], account: str) -> tuple[BankEntry, ...]:
    """The entries, each one the bank gave no reference getting a stable derived one.

    Derived from the entry's fields and its rank among entries with the very same fields, not
    from its position in the file: the same transfer must get the same reference when it
    reappears in another statement (an intraday export, then the day's statement), or a second
    import would record it twice. The rank (first, second… identical entry) keeps apart two
    genuinely separate, identical transfers on one statement, which the fields alone would merge.
    """
    seen: Counter[tuple[object, ...]] = Counter()
    result = []
    for entry in entries:
        if entry.bank_reference:
            result.append(entry)
            continue
        fingerprint = _fingerprint(entry, account)
        rank = seen[fingerprint]
        seen[fingerprint] += 1
        text = "\x1f".join(str(part) for part in (*fingerprint, rank))
        digest = hashlib.sha256(text.encode()).hexdigest()[:32]
        result.append(replace(entry, bank_reference=DERIVED_REFERENCE_PREFIX + digest))
    return tuple(result)


def _fingerprint(entry: BankEntry, account: str) -> tuple[object, ...]:
    """The fields that identify an entry the bank gave no reference."""
    return (
        account,
        entry.booked_on.isoformat(),
        entry.direction.value,
        entry.minor_units,
        entry.currency,
        entry.counterparty or "",
        entry.remittance or "",
    )
