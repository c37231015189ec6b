"""CAMT.053 (ISO 20022 bank-to-customer statement, camt.053.001.02 and later) to BankStatement.

Parsed by the standard library's ElementTree through defusedxml, with any DTD refused: a
statement never needs one, and refusing it shuts out external entities (XXE) and entity
expansion (billion laughs) alike. The namespace is taken from the document, so every version
reads the same; the few elements that moved between versions (a party's name, an entry's
status, a transaction's amount) are looked up in both places.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

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

CAMT053_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
USTRD_WIDTH = 140
OPENING_BALANCE_CODES = ("OPBD", "PRCD")
CLOSING_BALANCE_CODE = "CLBD"
# EndToEndId placeholder of payers that gave none: not a reference.
NOT_PROVIDED = "NOTPROVIDED"


class _LineRecordingBuilder(TreeBuilder):
    """A tree builder that remembers the source line of each element, for error messages."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            # defusedxml's parser is the pure-Python one, whose expat parser knows the line.
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


@dataclass(frozen=True, slots=True)
class _Node:
    """An element with its path from the root and the namespace, to find children and say where."""

    element: Element
    path: str
    namespace: str
    lines: dict[int, int]

    @property
    def where(self) -> str:
        return f"{self.path} (line {self.lines.get(id(self.element), '?')})"

    def child(self, *names: str) -> _Node | None:
        node = self
        for name in names:
            found = node.element.find(f"{{{self.namespace}}}{name}")
            if found is None:
                return None
            node = _Node(found, f"{node.path}/{name}", self.namespace, self.lines)
        return node

    def children(self, name: str) -> Iterator[_Node]:
        found = self.element.findall(f"{{{self.namespace}}}{name}")
        for index, element in enumerate(found, start=1):
            yield _Node(element, f"{self.path}/{name}[{index}]", self.namespace, self.lines)

    def text(self, *names: str) -> str | None:
        node = self.child(*names)
        text = node.element.text if node is not None else None
        return text.strip() if text and text.strip() else None

    def required(self, *names: str) -> _Node:
        node = self.child(*names)
        if node is None:
            raise StatementUnreadable(f"{self.where}: no {'/'.join(names)}")
        return node


def read_camt053(content: str | bytes, max_entries: int) -> BankStatement:
    """The statement in a CAMT.053 document; StatementUnreadable naming the element and line
    of the first problem."""
    document = _parse_document(content)
    statements = list(document.required("BkToCstmrStmt").children("Stmt"))
    if not statements:
        raise StatementUnreadable(f"{document.where}: no Stmt in BkToCstmrStmt")
    account, currency = _account_of(statements[0])
    for statement in statements[1:]:
        if _account_of(statement)[0] != account:
            raise StatementUnreadable(
                f"{statement.where}: the file holds statements of several accounts; "
                "import one account's statements at a time"
            )
    entries = _entries(statements, account, max_entries)
    return BankStatement(
        format=StatementFormat.CAMT053,
        account=account,
        currency=currency,
        statement_id=statements[0].text("Id"),
        opening_balance=_balance(statements[0], OPENING_BALANCE_CODES),
        closing_balance=_balance(statements[-1], (CLOSING_BALANCE_CODE,)),
        entries=entries,
    )


def _parse_document(content: str | bytes) -> _Node:
    builder = _LineRecordingBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.parser = parser
    try:
        parser.feed(content)
        root = parser.close()
    except ParseError as error:
        raise StatementUnreadable(f"not well-formed XML: {error}") from None
    except DefusedXmlException as error:
        raise StatementUnreadable(
            f"the XML declares a DTD or entities ({type(error).__name__}), which a bank "
            "statement never needs: refused"
        ) from None
    namespace, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", "")
    if local != "Document" or not CAMT053_NAMESPACE.fullmatch(namespace):
        raise StatementUnreadable(
            f"{root.tag} (line 1): not a CAMT.053 document (a Document in the "
            "urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN namespace)"
        )
    return _Node(root, "Document", namespace, builder.lines)


def _account_of(statement: _Node) -> tuple[str, str]:
    account = statement.required("Acct")
    identification = account.required("Id")
    number = identification.text("IBAN") or identification.text("Othr", "Id")
    where = f"{identification.where}: IBAN"
    if not number:
        raise StatementUnreadable(f"{identification.where}: no IBAN (nor Othr/Id): no account")
    currency = account.text("Ccy") or _first_balance_currency(statement)
    return account_identifier(number, where), currency_code(currency, f"{account.where}: Ccy")


def _first_balance_currency(statement: _Node) -> str | None:
    for balance in statement.children("Bal"):
        amount = balance.child("Amt")
        if amount is not None and amount.element.get("Ccy"):
            return amount.element.get("Ccy")
    return None


def _balance(statement: _Node, codes: tuple[str, ...]) -> Balance | None:
    for balance in statement.children("Bal"):
        code = balance.text("Tp", "CdOrPrtry", "Cd")
        if code not in codes:
            continue
        amount_node = balance.required("Amt")
        currency = currency_code(amount_node.element.get("Ccy"), f"{amount_node.where} @Ccy")
        amount, units = amount_in_minor_units(amount_node.element.text, currency, amount_node.where)
        credit = _credit(balance)
        return Balance(
            amount=amount if credit else -amount,
            minor_units=units if credit else -units,
            currency=currency,
            on=_date(balance, "Dt"),
        )
    return None


def _credit(node: _Node) -> bool:
    indicator = node.text("CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementUnreadable(
            f"{node.where}: CdtDbtInd must be CRDT or DBIT, not {indicator!r}"
        )
    return indicator == "CRDT"


def _date(node: _Node, name: str) -> date:
    holder = node.child(name)
    value = (holder.text("Dt") or holder.text("DtTm")) if holder is not None else None
    if holder is None or not value:
        raise StatementUnreadable(f"{node.where}: no {name}/Dt")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise StatementUnreadable(f"{holder.where}: {value!r} is not a date") from None


def _booking_date(entry: _Node) -> date:
    """The booking date, or the value date of a bank that gives only that."""
    if entry.child("BookgDt") is None and entry.child("ValDt") is None:
        raise StatementUnreadable(f"{entry.where}: no BookgDt/Dt (nor ValDt): no booking date")
    return _date(entry, "BookgDt" if entry.child("BookgDt") is not None else "ValDt")


def _booked(entry: _Node) -> bool:
    status = entry.text("Sts") or entry.text("Sts", "Cd")
    # A camt.053 books entries; pending or informational ones are not money on the account yet.
    return status in (None, "BOOK")


def _entries(statements: list[_Node], account: str, max_entries: int) -> tuple[BankEntry, ...]:
    entries: list[BankEntry] = []
    for statement in statements:
        for entry in statement.children("Ntry"):
            if _booked(entry):
                entries.extend(_entry_transactions(entry))
            if len(entries) > max_entries:
                raise StatementUnreadable(
                    f"{entry.where}: more than {max_entries} entries; split the statement"
                )
    return with_derived_references(entries, account)


def _entry_transactions(entry: _Node) -> list[BankEntry]:
    """The entry as booked, or, for a batch booking, each of its transactions with its own
    amount: each is a different payer's payment."""
    transactions = [
        tx for details in entry.children("NtryDtls") for tx in details.children("TxDtls")
    ]
    if len(transactions) <= 1:
        amount_node = entry.required("Amt")
        return [_bank_entry(entry, transactions[0] if transactions else None, amount_node, None)]
    batch_reference = entry.text("AcctSvcrRef")
    entries = []
    for index, transaction in enumerate(transactions, start=1):
        amount_node = transaction.child("Amt") or transaction.child("AmtDtls", "TxAmt", "Amt")
        if amount_node is None:
            raise StatementUnreadable(
                f"{transaction.where}: a transaction of a batch booking without an amount "
                "(Amt or AmtDtls/TxAmt/Amt)"
            )
        fallback = f"{batch_reference}/{index}" if batch_reference else None
        entries.append(_bank_entry(entry, transaction, amount_node, fallback))
    return entries


def _bank_entry(
    entry: _Node, transaction: _Node | None, amount_node: _Node, batch_reference: str | None
) -> BankEntry:
    currency = currency_code(amount_node.element.get("Ccy"), f"{amount_node.where} @Ccy")
    amount, units = amount_in_minor_units(amount_node.element.text, currency, amount_node.where)
    credit = _credit(entry)
    lines, creditor_reference = _remittance(entry, transaction)
    return BankEntry(
        booked_on=_booking_date(entry),
        amount=amount,
        minor_units=units,
        currency=currency,
        direction=direction_of(credit),
        bank_reference=_bank_reference(entry, transaction, batch_reference) or "",
        counterparty=_counterparty(transaction, "Dbtr" if credit else "Cdtr"),
        remittance=remittance_text(lines, creditor_reference),
        creditor_reference=creditor_reference,
        reversal=entry.text("RvslInd") in ("true", "1"),
    )


def _bank_reference(
    entry: _Node, transaction: _Node | None, batch_reference: str | None
) -> str | None:
    """The bank's own reference, else the payer's end-to-end id, else the entry reference."""
    references = transaction.child("Refs") if transaction is not None else None
    candidates = (
        references.text("AcctSvcrRef") if references is not None else None,
        entry.text("AcctSvcrRef") if batch_reference is None else batch_reference,
        references.text("EndToEndId") if references is not None else None,
        entry.text("NtryRef"),
    )
    return next((ref for ref in candidates if ref and ref != NOT_PROVIDED), None)


def _counterparty(transaction: _Node | None, role: str) -> str | None:
    if transaction is None:
        return None
    parties = transaction.child("RltdPties")
    if parties is None:
        return None
    return parties.text(role, "Nm") or parties.text(role, "Pty", "Nm")


def _remittance(entry: _Node, transaction: _Node | None) -> tuple[list[str], str | None]:
    """The payer's unstructured lines and the structured creditor reference, if any."""
    information = transaction.child("RmtInf") if transaction is not None else None
    if information is None:
        extra = transaction.text("AddtlTxInf") if transaction is not None else None
        extra = extra or entry.text("AddtlNtryInf")
        return ([extra] if extra else []), None
    lines = [line.element.text or "" for line in information.children("Ustrd")]
    references = [
        reference
        for structured in information.children("Strd")
        if (reference := structured.text("CdtrRefInf", "Ref"))
    ]
    return lines, " ".join(references) or None


def remittance_text(lines: list[str], creditor_reference: str | None) -> str | None:
    """The payer's text, then the structured reference: what a person and the matcher read."""
    parts = [joined_lines(lines, USTRD_WIDTH), creditor_reference]
    return " ".join(part for part in parts if part) or None
