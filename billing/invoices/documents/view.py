"""The document's values written out for people (amounts, rates, dates), as the template reads them.

Only values are prepared here; every word the customer reads is in the template, so the PDF and the
HTML preview say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date

from billing.invoices.documents.amounts import (
    display_amount,
    display_quantity,
    display_rate,
)
from billing.invoices.documents.cii import exemption_reason
from billing.invoices.documents.model import DocumentKind, DocumentLine, InvoiceDocument
from billing.taxes import TaxCategory, TaxRow

Money = Callable[[int], str]
Day = Callable[[date | None], str | None]


def document_view(document: InvoiceDocument, locale: str) -> dict[str, Any]:
    """Plain JSON-ready values of the document, formatted for `locale`."""

    def money(minor_units: int) -> str:
        return display_amount(minor_units, document.exponent, document.currency, locale)

    def day(value: date | None) -> str | None:
        return format_date(value, format="medium", locale=locale) if value else None

    seller, buyer = document.seller, document.buyer
    return {
        "credit_note": document.kind is DocumentKind.CREDIT_NOTE,
        "number": document.number,
        "issue_date": day(document.issue_date),
        "due_date": day(document.due_date),
        "invoice_number": document.invoice_number,
        "invoice_issue_date": day(document.invoice_issue_date),
        "reason": document.reason,
        "mark": document.mark,
        "currency": document.currency,
        "seller": {
            "name": seller.legal_name,
            "address": list(seller.address_lines),
            "tax_id": seller.tax_id,
            "payment_instructions": seller.payment_instructions,
        },
        "buyer": {
            "name": buyer.name,
            "address": list(buyer.address_lines),
            "tax_id": buyer.tax_id,
            "account": buyer.account_key,
        },
        "lines": [_line_view(line, money, day, locale) for line in document.lines],
        "taxes": [_tax_view(row, money, locale) for row in document.tax_rows],
        "subtotal": money(document.subtotal),
        "tax_total": money(document.tax_total),
        "total": money(document.total),
        "amount_paid": money(document.amount_paid) if document.amount_paid else None,
        "balance_due": money(document.balance_due),
    }


def _line_view(line: DocumentLine, money: Money, day: Day, locale: str) -> dict[str, Any]:
    period = None
    if line.period_start and line.period_end:
        period = f"{day(line.period_start)} – {day(line.period_end)}"
    return {
        "description": line.description,
        "period": period,
        "quantity": display_quantity(line.quantity, locale),
        "unit_price": money(line.unit_price),
        "tax": _rate_label(line.tax_category, line.tax_rate, locale),
        "amount": money(line.net_amount),
    }


def _tax_view(row: TaxRow, money: Money, locale: str) -> dict[str, Any]:
    return {
        "label": _rate_label(row.category, row.rate, locale),
        "taxable": money(row.taxable),
        "tax": money(row.tax),
        "reason": exemption_reason(row),
    }


def _rate_label(category: TaxCategory, rate: Decimal, locale: str) -> str:
    """The rate, or the category's code where no rate applies (E, AE, O)."""
    if category in (TaxCategory.STANDARD, TaxCategory.ZERO_RATED):
        return display_rate(rate, locale)
    return category.value
