"""Invoices and credit notes as documents: the model, PDF/A-3 with Factur-X, HTML, CII and UBL.

Pure: the model is built by the caller from stored invoices; nothing here reads a database.
"""

from billing.invoices.documents.cii import cii_xml
from billing.invoices.documents.content_hash import content_hash
from billing.invoices.documents.model import (
    Buyer,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Seller,
)
from billing.invoices.documents.render import DocumentRenderer, renderer
from billing.invoices.documents.ubl import ubl_xml

__all__ = [
    "Buyer",
    "DocumentKind",
    "DocumentLine",
    "DocumentRenderer",
    "InvoiceDocument",
    "Seller",
    "cii_xml",
    "content_hash",
    "renderer",
    "ubl_xml",
]
