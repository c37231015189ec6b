"""MT940 (SWIFT customer statement text) to BankStatement, read with the `mt-940` package.

`mt940.parse` reads the tags; it is given every fix of `mt940.Options.all()` (reversals
signed, `:86:` details of any length, a byte-order mark dropped) and a post-processor on every
tag that records what each tag gave, so a problem is reported with its tag and line. The
`:86:` details come in the variants the package reads: structured (`?20`…`?29` purpose, `?32`
`?33` name, SEPA keywords such as `SVWZ+`) or free text, wrapped at 65 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from billing.bank_statements.entry_fields import (
    account_identifier,
    amount_in_minor_units,
    currency_code,
    direction_of,
    joined_lines,
    with_derived_references,
)
from billing.bank_statements.model import (
    Balance,
    BankEntry,
    BankStatement,
    StatementFormat,
    StatementUnreadable,
)

# The tag pattern of mt940.models.Transactions.parse, on the same cleaned text.
TAG = re.compile(r"^:\n?(?P<full_tag>(?P<tag>[0-9]{2}|NS)(?P<sub_tag>[A-Z])?):", re.MULTILINE)
DETAILS_WIDTH = 65
OPENING_TAGS = ("60F", "60M", "60")
CLOSING_TAGS = ("62F", "62M", "62")
# Customer and bank references of payers and banks that had none.
NO_REFERENCE = "NONREF"


@dataclass
class _TagLog:
    """What each tag of the statement gave, in file order, with its line in the original text."""

    lines: list[int]
    position: int = 0
    results: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)

    def record(self, _transactions: object, tag: Any, _raw: object, result: Any) -> Any:
        self.results.append((str(tag.id), self.lines[self.position], result))
        self.position += 1
        return result

    def line_of_next(self) -> int:
        return self.lines[self.position] if self.position < len(self.lines) else 0


def read_mt940(content: str | bytes, max_entries: int) -> BankStatement:
    """The statement in MT940 text; StatementUnreadable naming the tag and line of the first
    problem."""
    text = _text(content)
    cleaned, line_numbers = _cleaned(text)
    log = _TagLog(_tag_lines(cleaned, line_numbers))
    if not log.lines:
        raise StatementUnreadable("no MT940 tags (:20:, :25:, :61: …) found")
    statement_count = sum(1 for match in TAG.finditer(cleaned) if match.group("full_tag") == "20")
    try:
        transactions = mt940.parse(cleaned, processors=_recording(log), options=mt940.Options.all())
    except Exception as error:  # the package raises bare errors of many kinds
        tag = _tag_at(cleaned, log.position)
        raise StatementUnreadable(
            f"MT940 tag :{tag}: on line {log.line_of_next()}: {_reason(error)}"
        ) from None
    return _statement(transactions, log, statement_count, max_entries)


def _text(content: str | bytes) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise StatementUnreadable(f"MT940 line {line}: not UTF-8 text ({error.reason})") from None


def _cleaned(text: str) -> tuple[str, list[int]]:
    """The text as mt940.models.Transactions.strip cleans it, and each kept line's number."""
    kept, numbers = [], []
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        line = raw.replace("\r", "").rstrip()
        if line and line.strip() != "-":
            kept.append(line)
            numbers.append(number)
    return "\n".join(kept), numbers


def _tag_lines(cleaned: str, line_numbers: list[int]) -> list[int]:
    """The original line of each tag mt940 will read, in order (its own filter of tag-like text
    inside `:86:` details applied)."""
    matches = mt940.models.Transactions().sanitize_tag_id_matches(list(TAG.finditer(cleaned)))
    return [line_numbers[cleaned.count("\n", 0, match.start())] for match in matches]


def _tag_at(cleaned: str, position: int) -> str:
    matches = mt940.models.Transactions().sanitize_tag_id_matches(list(TAG.finditer(cleaned)))
    return matches[position].group("full_tag") if position < len(matches) else "?"


def _reason(error: Exception) -> str:
    if isinstance(error, RuntimeError) and len(error.args) == 3:
        return f"{error.args[2]!r} does not fit the tag's format"
    return str(error) or type(error).__name__


def _recording(log: _TagLog) -> dict[str, list[Any]]:
    processors = {}
    for member in mt940.tags.Tags:
        key = f"post_{member.value.slug}"
        defaults = mt940.models.Transactions.DEFAULT_PROCESSORS.get(key, [])
        processors[key] = [*defaults, log.record]
    return processors


def _statement(
    transactions: mt940.models.Transactions, log: _TagLog, statement_count: int, max_entries: int
) -> BankStatement:
    by_tag = _statement_tags(log)
    account = _account(by_tag)
    _require_closing(log, by_tag)
    currency_line = by_tag["opening"][0]
    currency = currency_code(transactions.currency, f"MT940 tag :60F: on line {currency_line}")
    statement_lines = [(line, result) for tag, line, result in log.results if tag == "61"]
    if len(statement_lines) > max_entries:
        raise StatementUnreadable(
            f"MT940 tag :61: on line {statement_lines[max_entries][0]}: more than "
            f"{max_entries} entries; split the statement"
        )
    entries = [
        _entry(transaction, line, currency)
        for transaction, (line, _) in zip(transactions, statement_lines, strict=True)
    ]
    return BankStatement(
        format=StatementFormat.MT940,
        account=account,
        currency=currency,
        statement_id=_statement_id(transactions, by_tag, statement_count),
        opening_balance=_balance(by_tag.get("opening")),
        closing_balance=_balance(by_tag.get("closing_last")),
        entries=with_derived_references(entries, account),
    )


def _statement_tags(log: _TagLog) -> dict[str, tuple[int, Any]]:
    """The first :20:, every :25:, the first opening and last closing balance, by role."""
    found: dict[str, tuple[int, Any]] = {}
    accounts: set[str] = set()
    for tag, line, result in log.results:
        if tag == "20":
            found.setdefault("reference", (line, result.get("transaction_reference")))
        elif tag == "25":
            accounts.add(result.get("account_identification") or "")
            found.setdefault("account", (line, result.get("account_identification")))
            if len(accounts) > 1:
                raise StatementUnreadable(
                    f"MT940 tag :25: on line {line}: the file holds statements of several "
                    "accounts; import one account's statements at a time"
                )
        elif tag in OPENING_TAGS:
            found.setdefault("opening", (line, next(iter(result.values()))))
        elif tag in CLOSING_TAGS:
            found["closing_last"] = (line, next(iter(result.values())))
    return found


def _account(by_tag: dict[str, tuple[int, Any]]) -> str:
    line, value = by_tag.get("account", (0, None))
    if not line:
        raise StatementUnreadable("MT940: no account identification (:25:)")
    return account_identifier(value, f"MT940 tag :25: on line {line}")


def _require_closing(log: _TagLog, by_tag: dict[str, tuple[int, Any]]) -> None:
    """A statement ends with its closing balance: without one after the last entry, the file
    was cut short."""
    if "opening" not in by_tag:
        raise StatementUnreadable("MT940: no opening balance (:60F:); the file is incomplete")
    last_tag, last_line, _ = log.results[-1]
    closing_seen = False
    for tag, _, _ in log.results:
        if tag == "61":
            closing_seen = False
        elif tag in CLOSING_TAGS:
            closing_seen = True
    if not closing_seen:
        raise StatementUnreadable(
            f"MT940 tag :{last_tag}: on line {last_line}: no closing balance (:62F:) after it; "
            "the file is truncated"
        )


def _statement_id(
    transactions: mt940.models.Transactions, by_tag: dict[str, tuple[int, Any]], count: int
) -> str | None:
    reference = by_tag.get("reference", (0, None))[1]
    number = transactions.data.get("statement_number")
    parts = [part for part in (reference, number) if part]
    if count > 1:
        parts.append(f"+{count - 1} more")
    return "/".join(parts) or None


def _balance(found: tuple[int, Any] | None) -> Balance | None:
    if found is None:
        return None
    line, balance = found
    where = f"MT940 tag :6x: on line {line}"
    currency = currency_code(balance.amount.currency, where)
    amount, units = amount_in_minor_units(str(abs(balance.amount.amount)), currency, where)
    negative = balance.amount.amount < 0
    return Balance(
        amount=-amount if negative else amount,
        minor_units=-units if negative else units,
        currency=currency,
        on=date(balance.date.year, balance.date.month, balance.date.day),
    )


def _entry(transaction: mt940.models.Transaction, line: int, currency: str) -> BankEntry:
    data = transaction.data
    where = f"MT940 tag :61: on line {line}"
    mark = str(data.get("status") or "").upper()
    amount, units = amount_in_minor_units(_plain(data["amount"].amount), currency, where)
    booked = data.get("entry_date") or data["date"]
    counterparty, remittance = _details(data)
    return BankEntry(
        booked_on=date(booked.year, booked.month, booked.day),
        amount=amount,
        minor_units=units,
        currency=currency,
        # C credits the account, and so does RD, the reversal of a debit; D and RC take money out.
        direction=direction_of(mark in ("C", "RD")),
        bank_reference=_bank_reference(data),
        counterparty=counterparty,
        remittance=remittance,
        reversal=mark.startswith("R"),
    )


def _plain(amount: Decimal) -> str:
    return format(abs(amount), "f")


def _bank_reference(data: dict[str, Any]) -> str:
    """The :61: bank reference (after //); empty where the bank gave none, to be derived."""
    reference = (data.get("bank_reference") or "").strip()
    return "" if reference.upper() == NO_REFERENCE else reference


def _details(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The counterparty and the remittance text of the :86: details."""
    if "transaction_details" not in data:
        # Structured details, already split by the package's :86: processor.
        purpose = "".join(
            part for part in (data.get("purpose"), data.get("additional_purpose")) if part
        )
        return (data.get("applicant_name") or None), (purpose.strip() or None)
    lines = (data.get("transaction_details") or "").split("\n")
    # The first line follows the 4-character ":86:" tag within the 65-character line.
    return None, joined_lines(lines, DETAILS_WIDTH, first_width=DETAILS_WIDTH - 4)
