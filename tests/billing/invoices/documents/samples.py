"""Sample documents, their figures from the tax engine as the stored invoices will give them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from billing.invoices.documents.model import (
    Buyer,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Seller,
)
from billing.taxes import TaxableLine, TaxExemption, calculate_taxes

SELLER = Seller(
    legal_name="Nordlicht Netz GmbH",
    address_lines=("Hafenstraße 5", "20457 Hamburg"),
    country_code="DE",
    tax_id="DE136695976",
    payment_instructions="IBAN DE02 1203 0000 0000 2020 51, BIC BYLADEM1001",
)
BUYER = Buyer(
    name="Ελένη Παπαδοπούλου – Пётр Иванов",
    address_lines=("Odos Ermou 12", "105 63 Athina"),
    country_code="GR",
    account_key="C-0042",
    tax_id="EL094259216",
)


def make_document(
    priced: list[tuple[str, Decimal, int, Decimal | None]],
    *,
    currency: str = "EUR",
    exponent: int = 2,
    kind: DocumentKind = DocumentKind.INVOICE,
    prices_include_tax: bool = False,
    exemption: TaxExemption | None = None,
    amount_paid: int = 0,
) -> InvoiceDocument:
    """A document from (description, quantity, unit price, rate) lines, figures from the engine."""
    amounts = [int(quantity * price) for _, quantity, price, _ in priced]
    taxes = calculate_taxes(
        [TaxableLine(amount, rate) for amount, (*_, rate) in zip(amounts, priced, strict=True)],
        prices_include_tax=prices_include_tax,
        exemption=exemption,
    )
    lines = tuple(
        DocumentLine(
            description=description,
            quantity=quantity,
            unit_price=price,
            net_amount=taxed.net,
            tax_category=taxed.category,
            tax_rate=taxed.rate,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 30),
        )
        for (description, quantity, price, _), taxed in zip(priced, taxes.lines, strict=True)
    )
    credit = kind is DocumentKind.CREDIT_NOTE
    return InvoiceDocument(
        kind=kind,
        number="CN-2026-0003" if credit else "INV-2026-0117",
        issue_date=date(2026, 12, 1),
        due_date=None if credit else date(2026, 12, 15),
        currency=currency,
        exponent=exponent,
        seller=SELLER,
        buyer=BUYER if exemption is None else _exempt_buyer(exemption),
        lines=lines,
        tax_rows=taxes.rows,
        subtotal=taxes.subtotal,
        tax_total=taxes.tax_total,
        total=taxes.total,
        amount_paid=amount_paid,
        balance_due=taxes.total - amount_paid,
        invoice_number="INV-2026-0117" if credit else None,
        invoice_issue_date=date(2026, 12, 1) if credit else None,
        reason="Service outage 3–5 November" if credit else None,
    )


def _exempt_buyer(exemption: TaxExemption) -> Buyer:
    return Buyer(
        name=BUYER.name,
        address_lines=BUYER.address_lines,
        country_code=BUYER.country_code,
        account_key=BUYER.account_key,
        tax_id=BUYER.tax_id,
        exemption_reason=exemption.reason,
    )


EUR_LINES = [
    ("Fibre 500 — November", Decimal(1), 4990, Decimal(19)),
    ("Static IPv4 address", Decimal(2), 333, Decimal(19)),
    ("Router rental", Decimal(1), 499, Decimal(7)),
    ("Postage", Decimal(1), 150, Decimal(0)),
]
