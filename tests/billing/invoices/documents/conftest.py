"""Fixtures: an EUR invoice, a JPY invoice and an EUR credit note."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.invoices.documents import DocumentKind, InvoiceDocument
from tests.billing.invoices.documents.samples import EUR_LINES, make_document


@pytest.fixture
def eur_invoice() -> InvoiceDocument:
    return make_document(EUR_LINES)


@pytest.fixture
def jpy_invoice() -> InvoiceDocument:
    return make_document([("Fibre 1G", Decimal(1), 5480, Decimal(10))], currency="JPY", exponent=0)


@pytest.fixture
def eur_credit_note() -> InvoiceDocument:
    return make_document(EUR_LINES[:2], kind=DocumentKind.CREDIT_NOTE)
