"""Rendered PDFs of invoices and credit notes, kept by the hash of their content (table
document_files).

The first request for a document renders it and keeps the file; every later request for the same
content is served from the table without rendering. Anything that changes what the document says
(a payment, a credit, a new template or font) changes the hash, so it gets a file of its own and
a stale one is never served.
"""

from __future__ import annotations

import asyncio

from billing.invoices.documents import DocumentKind, InvoiceDocument, content_hash, renderer
from orm.models import DocumentFile

FILE_NAME_PREFIXES = {DocumentKind.INVOICE: "Invoice", DocumentKind.CREDIT_NOTE: "CreditNote"}


async def document_pdf(document: InvoiceDocument, locale: str = "en") -> bytes:
    """The document as PDF/A-3 with its Factur-X XML: the kept file, or rendered and kept."""
    key = content_hash(document, locale)
    kept = await kept_file(key)
    if kept is not None:
        return kept
    pdf = await asyncio.to_thread(renderer().facturx_pdf, document, locale)
    # Two first requests at once both render; the second's identical file is simply not kept.
    await DocumentFile.bulk_create(
        [DocumentFile(content_hash=key, content=pdf)], ignore_conflicts=True
    )
    return pdf


async def kept_file(key: str) -> bytes | None:
    """The file kept under this content hash, if any."""
    rows = await DocumentFile.filter(content_hash=key).limit(1).values_list("content", flat=True)
    return bytes(rows[0]) if rows else None


def pdf_filename(document: InvoiceDocument) -> str:
    """The PDF's file name: its kind and number, with only characters safe in any file system."""
    safe = "".join(char if char.isalnum() or char in "-_." else "_" for char in document.number)
    return f"{FILE_NAME_PREFIXES[document.kind]}-{safe}.pdf"
