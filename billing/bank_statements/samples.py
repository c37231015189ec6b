"""Bank statement files written from entries: what the tests read, and the benchmark.

`camt053_document` and `mt940_text` write the same entries as a bank would, in either format;
`reconciliation_day` gives entries of each kind an import meets (one naming an open invoice,
one naming none, the same bank reference twice, an outgoing one, another currency), and
`malformed_camt053` / `malformed_mt940` the broken files a statement import must refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from billing.bank_statements.camt053 import USTRD_WIDTH, remittance_text
from billing.bank_statements.model import BankEntry, Direction
from billing.money import from_minor_units, minor_unit_digits

SAMPLE_ACCOUNT = "DE89370400440532013000"
SAMPLE_OTHER_ACCOUNT = "GB82WEST12345698765432"
MT940_LINE_WIDTH = 65
MT940_PURPOSE_WIDTH = 27
MT940_PURPOSE_FIELDS = 10
MT940_NAME_FIELDS = ("32", "33")


@dataclass(frozen=True, slots=True)
class SampleEntry:
    """An entry to write: the payer's text and creditor reference apart, as a bank sends them."""

    booked_on: date
    minor_units: int
    currency: str
    direction: Direction = Direction.CREDIT
    bank_reference: str | None = None
    counterparty: str | None = None
    text: str | None = None
    creditor_reference: str | None = None

    @property
    def amount(self) -> Decimal:
        return from_minor_units(self.minor_units, self.currency)

    def read_back(self, bank_reference: str | None = None) -> BankEntry:
        """The entry the parser gives for it (a derived reference passed in where it has none)."""
        return BankEntry(
            booked_on=self.booked_on,
            amount=self.amount,
            minor_units=self.minor_units,
            currency=self.currency,
            direction=self.direction,
            bank_reference=self.bank_reference or bank_reference or "",
            counterparty=self.counterparty,
            remittance=remittance_text([self.text] if self.text else [], self.creditor_reference),
            creditor_reference=self.creditor_reference,
        )


def reconciliation_day(
    open_number: str, other_currency: str = "USD", currency: str = "EUR", on: date | None = None
) -> dict[str, SampleEntry]:
    """One entry of each kind an import meets, by name; `duplicate` repeats `matched`'s
    bank reference."""
    day = on or date(2026, 11, 30)
    cents = 10 ** minor_unit_digits(currency)
    matched = SampleEntry(
        day,
        4990 * cents // 100,
        currency,
        bank_reference="BANK-0001",
        counterparty="Jürgen Müller",
        text=f"Rechnung {open_number} Danke",
    )
    return {
        "matched": matched,
        "unmatched": SampleEntry(
            day,
            2500 * cents // 100,
            currency,
            bank_reference="BANK-0002",
            counterparty="Ana Lopez",
            text="Internet November",
        ),
        "duplicate": matched,
        "outgoing": SampleEntry(
            day,
            120000 * cents // 100,
            currency,
            Direction.DEBIT,
            bank_reference="BANK-0003",
            counterparty="Fibre Wholesale AG",
            text="Backhaul November",
        ),
        "other_currency": SampleEntry(
            day,
            4990,
            other_currency,
            bank_reference="BANK-0004",
            counterparty="Jürgen Müller",
            text=f"Invoice {open_number}",
        ),
    }


def wrapped(text: str, width: int) -> list[str]:
    """The text cut into lines of at most `width`, as the parsers join them again: at a space
    where one falls inside the line (the space dropped), else hard at the width; never a line
    ending in a space, which MT940 readers strip."""
    lines = []
    while len(text) > width:
        cut = text.rfind(" ", 1, width)
        if cut > 0:
            lines.append(text[:cut])
            text = text[cut + 1 :]
            continue
        cut = width
        while text[cut - 1] == " ":
            cut -= 1
        lines.append(text[:cut])
        text = text[cut:]
    lines.append(text)
    return lines


def cut(text: str, width: int) -> list[str]:
    """The text cut into pieces of at most `width` that join back without separators (MT940
    `?20`…`?29` fields); a space at a cut starts the next piece, since lines lose trailing ones."""
    pieces = []
    while len(text) > width:
        end = width
        while end > 1 and text[end - 1] == " ":
            end -= 1
        pieces.append(text[:end])
        text = text[end:]
    pieces.append(text)
    return pieces


def camt053_document(
    entries: Sequence[SampleEntry],
    account: str = SAMPLE_ACCOUNT,
    currency: str = "EUR",
    version: str = "02",
    statement_id: str = "STMT-2026-11-30",
) -> str:
    """A camt.053.001.`version` document of one statement with the entries (parties in the
    version's own layout: `Dbtr/Nm` up to 05, `Dbtr/Pty/Nm` from 08)."""
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    nested_party = int(version) >= 8
    body = "".join(_camt_entry(entry, index, nested_party) for index, entry in enumerate(entries))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{namespace}">\n<BkToCstmrStmt>\n'
        "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-30T18:00:00</CreDtTm></GrpHdr>\n"
        f"<Stmt>\n<Id>{escape(statement_id)}</Id>\n"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>{currency}</Ccy></Acct>\n"
        f"{_camt_balance('OPBD', 0, currency)}{_camt_balance('CLBD', 0, currency)}"
        f"{body}</Stmt>\n</BkToCstmrStmt>\n</Document>\n"
    )


def _camt_balance(code: str, units: int, currency: str) -> str:
    amount = from_minor_units(abs(units), currency)
    indicator = "DBIT" if units < 0 else "CRDT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        "<Dt><Dt>2026-11-30</Dt></Dt></Bal>\n"
    )


def _camt_entry(entry: SampleEntry, index: int, nested_party: bool) -> str:
    indicator = "CRDT" if entry.direction is Direction.CREDIT else "DBIT"
    reference = (
        f"<AcctSvcrRef>{escape(entry.bank_reference)}</AcctSvcrRef>" if entry.bank_reference else ""
    )
    return (
        f'<Ntry>\n<Amt Ccy="{entry.currency}">{entry.amount}</Amt>'
        f"<CdtDbtInd>{indicator}</CdtDbtInd><Sts>BOOK</Sts>\n"
        f"<BookgDt><Dt>{entry.booked_on.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{entry.booked_on.isoformat()}</Dt></ValDt>{reference}\n"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n"
        f"<NtryDtls><TxDtls>{_camt_parties(entry, nested_party)}{_camt_remittance(entry)}"
        "</TxDtls></NtryDtls>\n</Ntry>\n"
    )


def _camt_parties(entry: SampleEntry, nested_party: bool) -> str:
    if not entry.counterparty:
        return ""
    role = "Dbtr" if entry.direction is Direction.CREDIT else "Cdtr"
    name = f"<Nm>{escape(entry.counterparty)}</Nm>"
    party = f"<Pty>{name}</Pty>" if nested_party else name
    return f"<RltdPties><{role}>{party}</{role}></RltdPties>"


def _camt_remittance(entry: SampleEntry) -> str:
    lines = wrapped(entry.text, USTRD_WIDTH) if entry.text else []
    unstructured = "".join(f"<Ustrd>{escape(line)}</Ustrd>" for line in lines)
    structured = (
        f"<Strd><CdtrRefInf><Ref>{escape(entry.creditor_reference)}</Ref></CdtrRefInf></Strd>"
        if entry.creditor_reference
        else ""
    )
    return f"<RmtInf>{unstructured}{structured}</RmtInf>" if lines or structured else ""


def mt940_text(
    entries: Sequence[SampleEntry],
    account: str = SAMPLE_ACCOUNT,
    currency: str = "EUR",
    statement_reference: str = "STMT20261130",
) -> str:
    """An MT940 statement with the entries; the details in the structured `:86:` layout
    (purpose in `?20`…`?29`, the name in `?32` `?33`). Entries must be in the currency: an
    MT940 statement has one."""
    opening = ":60F:C261130" + currency + _mt940_amount(0, currency)
    lines = [f":20:{statement_reference}", f":25:{account}", ":28C:1/1", opening]
    for entry in entries:
        lines.extend(_mt940_entry(entry))
    lines.append(":62F:C261130" + currency + _mt940_amount(0, currency))
    return "\n".join(lines) + "\n-\n"


def _mt940_amount(units: int, currency: str) -> str:
    return format(from_minor_units(abs(units), currency), "f").replace(".", ",") + (
        "," if not minor_unit_digits(currency) else ""
    )


def _mt940_entry(entry: SampleEntry) -> list[str]:
    day = entry.booked_on.strftime("%y%m%d")
    mark = "C" if entry.direction is Direction.CREDIT else "D"
    reference = f"//{entry.bank_reference}" if entry.bank_reference else ""
    amount = _mt940_amount(entry.minor_units, entry.currency)
    statement_line = f":61:{day}{day[2:]}{mark}{amount}NTRFNONREF{reference}"
    details = ["166?00SEPA-UEBERWEISUNG"]
    purpose = cut(entry.text, MT940_PURPOSE_WIDTH) if entry.text else []
    if len(purpose) > MT940_PURPOSE_FIELDS:
        raise ValueError("an MT940 purpose holds at most 270 characters")
    details += [f"?{20 + index}{line}" for index, line in enumerate(purpose)]
    name = cut(entry.counterparty, MT940_PURPOSE_WIDTH) if entry.counterparty else []
    if len(name) > len(MT940_NAME_FIELDS):
        raise ValueError("an MT940 counterparty name holds at most 54 characters")
    details += [f"?{code}{line}" for code, line in zip(MT940_NAME_FIELDS, name, strict=False)]
    return [statement_line, ":86:" + details[0], *details[1:]]


def malformed_camt053(open_number: str = "INV-000012") -> dict[str, str]:
    """Broken CAMT.053 files by what is wrong with them, each with one otherwise good entry."""
    good = camt053_document([reconciliation_day(open_number)["matched"]])
    amount = '<Amt Ccy="EUR">49.90</Amt><CdtDbtInd>CRDT'
    return {
        "not_xml": good[: len(good) // 2],
        "not_camt053": good.replace("camt.053.001.02", "camt.054.001.02"),
        "missing_account": good.replace(f"<IBAN>{SAMPLE_ACCOUNT}</IBAN>", ""),
        "entry_without_amount": good.replace(amount, "<CdtDbtInd>CRDT"),
        "entry_without_date": good.replace(
            "<BookgDt><Dt>2026-11-30</Dt></BookgDt><ValDt><Dt>2026-11-30</Dt></ValDt>", ""
        ),
        "amount_with_too_many_digits": good.replace(amount, amount.replace("49.90", "49.905")),
        "unknown_currency": good.replace(amount, amount.replace("EUR", "EUX")),
        "external_entity": (
            '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            + good.split("\n", 1)[1].replace("Rechnung", "&xxe; Rechnung")
        ),
        "entity_expansion": (
            '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
            )
            + "]>\n"
            + good.split("\n", 1)[1].replace("Rechnung", "&i; Rechnung")
        ),
    }


def malformed_mt940(open_number: str = "INV-000012") -> dict[str, str]:
    """Broken MT940 files by what is wrong with them, each with one otherwise good entry."""
    good = mt940_text([reconciliation_day(open_number)["matched"]])
    return {
        "truncated": good[: good.index(":62F:")],
        "cut_inside_an_entry": good[: good.index(":61:") + 12],
        "missing_account": good.replace(f":25:{SAMPLE_ACCOUNT}\n", ""),
        "amount_with_too_many_digits": good.replace("C49,90NTRF", "C49,905NTRF"),
        "unknown_currency": good.replace("EUR", "EUX"),
        "not_mt940": "Date;Amount;Text\n2026-11-30;49.90;INV-000012\n",
    }
