"""Which open invoice a bank entry pays: pure rules over an index the caller builds.

An incoming entry in the tenant's currency whose remittance text names an open invoice's number
is MATCHED to that invoice's client, the named invoices first. Any other incoming entry is
UNMATCHED, with the open invoices a person would look at first as suggestions. Outgoing entries
are IGNORED. Entries in another currency are never matched automatically.

A number is named when the text holds it as a whole token, in any case, with the bank's spaces
or dashes removed or added between its parts ("INV-000012", "inv 000012", "INV000012"), and not
as part of a longer number ("INV-0000123" does not name "INV-000012").

Built for large tenants: the index holds only the invoices a statement can concern. The caller
reads the open invoices whose numbers `candidate_numbers` finds in the statement, those whose
balance is among `candidate_amounts` (a few oldest per amount) and those of the clients a
`ClientNames` index finds in the counterparties, and builds an `OpenInvoiceIndex` of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import combinations

from billing.bank_statements.model import BankEntry

MAX_SUGGESTIONS = 5
# An invoice number spans at most this many runs of letters and digits ("ACME-INV-000012").
MAX_NUMBER_PARTS = 3
# A counterparty longer than this many words is matched on its first ones: enough for a name.
MAX_COUNTERPARTY_WORDS = 6
# A name more clients share than this tells a person nothing: no suggestion is made from it.
MAX_CLIENTS_PER_NAME = 10
TOKEN = re.compile(r"[A-Za-z0-9]+")
# An ISO 11649 creditor reference: RF, two check digits, the reference itself.
CREDITOR_REFERENCE = re.compile(r"RF\d{2}([A-Z0-9]+)")
WORD = re.compile(r"[^\W_]+")
# How banks limited to basic Latin write German letters, besides dropping the accent.
TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class EntryStatus(StrEnum):
    MATCHED = "MATCHED"
    UNMATCHED = "UNMATCHED"
    IGNORED = "IGNORED"
    # Set by the import, never by the matcher: the account and bank reference were imported
    # before, so the entry records nothing.
    DUPLICATE = "DUPLICATE"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An issued invoice with something left to pay, as the matcher needs it."""

    invoice_id: int
    number: str
    client_id: int
    client_name: str
    balance_minor_units: int
    due_on: date


@dataclass(frozen=True, slots=True)
class EntryMatch:
    """What to do with an entry: MATCHED pays `client_id`, `invoice_ids` first (in the order the
    text named them); UNMATCHED waits for a person, `suggested_invoice_ids` best first."""

    status: EntryStatus
    reason: str
    client_id: int | None = None
    invoice_ids: tuple[int, ...] = ()
    suggested_invoice_ids: tuple[int, ...] = ()


def number_key(number: str) -> str:
    """The number as compared: its letters and digits, upper case ("inv-000012" → "INV000012")."""
    return "".join(TOKEN.findall(number)).upper()


def number_keys_in(text: str | None) -> list[str]:
    """Every key a number named in the text could have, in the order they appear.

    Runs of letters and digits are joined with their neighbours (up to MAX_NUMBER_PARTS), so
    "INV-000012" and "INV 000012" give "INV000012"; two digit runs are never joined, since a
    separator between digits ends a number.
    """
    tokens = [token.upper() for token in TOKEN.findall(text or "")]
    keys: dict[str, None] = {}
    for start in range(len(tokens)):
        key = ""
        for token in tokens[start : start + MAX_NUMBER_PARTS]:
            if key and key[-1].isdigit() and token[0].isdigit():
                break
            key += token
            keys[key] = None
            if reference := CREDITOR_REFERENCE.fullmatch(key):
                keys[reference.group(1)] = None
    return list(keys)


def candidate_numbers(entries: Iterable[BankEntry], prefix: str) -> set[str]:
    """The invoice numbers (the tenant's `prefix` and digits, as numbering writes them) that
    incoming entries' remittance texts may name: what the caller looks up among open invoices."""
    prefix_key = number_key(prefix)
    numbers = set()
    for entry in entries:
        if not entry.incoming:
            continue
        for key in number_keys_in(entry.remittance):
            digits = key[len(prefix_key) :]
            if key.startswith(prefix_key) and digits.isdigit():
                numbers.add(prefix + digits)
    return numbers


def candidate_amounts(entries: Iterable[BankEntry], currency: str) -> set[int]:
    """The amounts, in minor units, of incoming entries in the tenant's currency: open invoices
    with such a balance are suggestions."""
    return {
        entry.minor_units
        for entry in entries
        if entry.incoming and entry.currency == currency.upper()
    }


def name_words(name: str | None) -> frozenset[str]:
    """The words of a name as compared, case and accents folded (Jürgen MÜLLER: jurgen, muller)."""
    decomposed = unicodedata.normalize("NFKD", (name or "").casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return frozenset(WORD.findall(folded))


def _name_variants(name: str) -> set[frozenset[str]]:
    variants = {name_words(name), name_words(name.casefold().translate(TRANSLITERATION))}
    return {words for words in variants if words}


class ClientNames:
    """Clients by the words of their names, to find those a counterparty names (every word of
    the client's name among the counterparty's, in any order: "MUELLER, JUERGEN" names
    "Jürgen Müller")."""

    def __init__(self, clients: Iterable[tuple[int, str]]) -> None:
        self._by_words: dict[frozenset[str], set[int]] = defaultdict(set)
        for client_id, name in clients:
            for words in _name_variants(name):
                self._by_words[words].add(client_id)
        self._longest = max((len(words) for words in self._by_words), default=0)

    def named_in(self, counterparty: str | None) -> set[int]:
        """The clients whose whole name is among the counterparty's words; none where more than
        MAX_CLIENTS_PER_NAME are (a common name points at no one)."""
        words = sorted(name_words(counterparty))[:MAX_COUNTERPARTY_WORDS]
        found: set[int] = set()
        for size in range(1, min(len(words), self._longest) + 1):
            for subset in combinations(words, size):
                found |= self._by_words.get(frozenset(subset), set())
                if len(found) > MAX_CLIENTS_PER_NAME:
                    return set()
        return found


def _oldest_first(invoices: Iterable[OpenInvoice]) -> list[OpenInvoice]:
    return sorted(invoices, key=lambda invoice: (invoice.due_on, invoice.number))


class OpenInvoiceIndex:
    """The open invoices a statement may concern, by number, balance and client."""

    def __init__(self, invoices: Iterable[OpenInvoice]) -> None:
        by_balance: dict[int, list[OpenInvoice]] = defaultdict(list)
        by_client: dict[int, list[OpenInvoice]] = defaultdict(list)
        self.by_number: dict[str, OpenInvoice] = {}
        for invoice in invoices:
            self.by_number[number_key(invoice.number)] = invoice
            by_balance[invoice.balance_minor_units].append(invoice)
            by_client[invoice.client_id].append(invoice)
        self.by_balance = {units: _oldest_first(group) for units, group in by_balance.items()}
        self.by_client = {client: _oldest_first(group) for client, group in by_client.items()}
        self.client_names = ClientNames(
            (client, group[0].client_name) for client, group in self.by_client.items()
        )

    def named_in(self, remittance: str | None) -> list[OpenInvoice]:
        """The open invoices the text names, in the order it names them."""
        found = (self.by_number.get(key) for key in number_keys_in(remittance))
        return list({invoice.invoice_id: invoice for invoice in found if invoice}.values())


def match_entries(
    entries: Sequence[BankEntry], index: OpenInvoiceIndex, currency: str
) -> list[EntryMatch]:
    """The match of each entry, in order."""
    return [match_entry(entry, index, currency) for entry in entries]


def match_entry(entry: BankEntry, index: OpenInvoiceIndex, currency: str) -> EntryMatch:
    """What to do with one entry of a statement of a tenant keeping its books in `currency`."""
    if not entry.incoming:
        return EntryMatch(EntryStatus.IGNORED, "outgoing: money paid out, not received")
    if entry.minor_units <= 0:
        return EntryMatch(EntryStatus.IGNORED, "no money received")
    if entry.currency != currency.upper():
        reason = f"in {entry.currency}, not {currency.upper()}: never matched automatically"
        return _unmatched(entry, index, reason, by_amount=False)
    if entry.reversal:
        return _unmatched(entry, index, "a reversal: for a person to judge")
    named = index.named_in(entry.remittance)
    if not named:
        return _unmatched(entry, index, "names no open invoice")
    clients = {invoice.client_id for invoice in named}
    if len(clients) > 1:
        return _unmatched(entry, index, "names open invoices of several clients", first=named)
    numbers = ", ".join(invoice.number for invoice in named)
    return EntryMatch(
        EntryStatus.MATCHED,
        f"names {numbers}",
        client_id=named[0].client_id,
        invoice_ids=tuple(invoice.invoice_id for invoice in named),
    )


def _unmatched(
    entry: BankEntry,
    index: OpenInvoiceIndex,
    reason: str,
    by_amount: bool = True,
    first: Sequence[OpenInvoice] = (),
) -> EntryMatch:
    suggestions = list(dict.fromkeys(invoice.invoice_id for invoice in first))
    for invoice in _suggestions(entry, index, by_amount):
        if len(suggestions) >= MAX_SUGGESTIONS:
            break
        if invoice.invoice_id not in suggestions:
            suggestions.append(invoice.invoice_id)
    return EntryMatch(
        EntryStatus.UNMATCHED, reason, suggested_invoice_ids=tuple(suggestions[:MAX_SUGGESTIONS])
    )


def _suggestions(
    entry: BankEntry, index: OpenInvoiceIndex, by_amount: bool
) -> Iterator[OpenInvoice]:
    """Open invoices best first: of a client the counterparty names with the entry's amount as
    balance, then of such a client with another balance, then of any client with that balance;
    oldest due first within each."""
    named_clients = index.client_names.named_in(entry.counterparty)
    of_named = _oldest_first(
        invoice for client in named_clients for invoice in index.by_client.get(client, ())
    )
    same_amount = entry.minor_units if by_amount else None
    yield from (invoice for invoice in of_named if invoice.balance_minor_units == same_amount)
    yield from (invoice for invoice in of_named if invoice.balance_minor_units != same_amount)
    if same_amount is not None:
        yield from index.by_balance.get(same_amount, ())
