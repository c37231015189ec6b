"""What an invoice or credit note says, as sent to the customer: the one input of every renderer.

The PDF, the HTML preview and the CII and UBL e-invoices are all made from an `InvoiceDocument`, so
they cannot disagree. It holds only what the customer's document shows: no internal fields (grace
date, void reason). Amounts are integer minor units of `currency`, whose exponent travels with it.

A credit note's figures are printed positive: its type (EN 16931 code 381) says they are credited.
The figures are checked to add up when the document is made (EN 16931 BR-CO-10 to BR-CO-16).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing.taxes import TaxCategory, TaxRow

# EN 16931 BR-O-10 wants a reason on a breakdown row outside the scope of tax.
OUTSIDE_SCOPE_REASON = "Not subject to VAT"


class DocumentKind(enum.StrEnum):
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"

    @property
    def type_code(self) -> str:
        """UNTDID 1001 document type (EN 16931 BT-3)."""
        return "381" if self is DocumentKind.CREDIT_NOTE else "380"


@dataclass(frozen=True, slots=True)
class Seller:
    """The tenant as printed on its documents (EN 16931 BG-4)."""

    legal_name: str
    address_lines: tuple[str, ...]
    country_code: str
    tax_id: str | None = None
    payment_instructions: str | None = None


@dataclass(frozen=True, slots=True)
class Buyer:
    """The client as printed on the document (EN 16931 BG-7); `account_key` is its client key."""

    name: str
    address_lines: tuple[str, ...]
    country_code: str
    account_key: str
    tax_id: str | None = None
    exemption_reason: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One line (EN 16931 BG-25): `unit_price` as charged, `net_amount` net of tax."""

    description: str
    quantity: Decimal
    unit_price: int
    net_amount: int
    tax_category: TaxCategory
    tax_rate: Decimal
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """An issued invoice or credit note, complete and consistent."""

    kind: DocumentKind
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    exponent: int
    seller: Seller
    buyer: Buyer
    lines: tuple[DocumentLine, ...]
    tax_rows: tuple[TaxRow, ...]
    subtotal: int
    tax_total: int
    total: int
    # Paid (invoice) or already settled (credit note) before this copy was made.
    amount_paid: int
    balance_due: int
    invoice_number: str | None = None
    invoice_issue_date: date | None = None
    reason: str | None = None
    # Printed across the document where it is not (or no longer) a bill: "DRAFT", "VOID".
    mark: str | None = None

    def __post_init__(self) -> None:
        _check_identity(self)
        _check_figures(self)


def _check_identity(document: InvoiceDocument) -> None:
    if not (len(document.currency) == 3 and document.currency.isalpha()):
        raise ValueError(f"not an ISO 4217 currency code: {document.currency!r}")
    if document.currency != document.currency.upper():
        raise ValueError(f"currency codes are upper case: {document.currency!r}")
    if not 0 <= document.exponent <= 4:
        raise ValueError(f"a currency's minor unit exponent is 0 to 4, not {document.exponent}")
    if not document.number.strip():
        raise ValueError("a document needs its number")
    if not document.lines:
        raise ValueError("a document needs at least one line")
    if document.kind is DocumentKind.CREDIT_NOTE and not document.invoice_number:
        raise ValueError("a credit note refers to the invoice it credits")


def _check_figures(document: InvoiceDocument) -> None:
    line_sum = sum(line.net_amount for line in document.lines)
    checks = {
        "the lines add up to the subtotal": line_sum == document.subtotal,
        "the tax rows' taxable amounts add up to the subtotal": (
            sum(row.taxable for row in document.tax_rows) == document.subtotal
        ),
        "the tax rows add up to the tax total": (
            sum(row.tax for row in document.tax_rows) == document.tax_total
        ),
        "subtotal plus tax is the total": document.subtotal + document.tax_total == document.total,
        "total less paid is the balance due": (
            document.total - document.amount_paid == document.balance_due
        ),
    }
    broken = [rule for rule, holds in checks.items() if not holds]
    if broken:
        raise ValueError(f"document {document.number}: figures disagree: {'; '.join(broken)}")
