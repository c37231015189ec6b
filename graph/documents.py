"""The customer's documents over signed links (no login): an invoice's PDF and e-invoice XML, a
credit note's PDF, and the one link check every document page (the previews too) goes through.

The links follow one set of rules (billing.invoices.links): 403 for an expired, tampered or foreign
link or one made for another kind of document (an invoice's link never opens a credit note, nor
the other way round), 404 where the tenant has no such invoice or credit note. A draft has no
number and is no document yet: its PDF and XML are 404 (its preview page shows it, marked DRAFT).
A PDF is PDF/A-3 with its EN 16931 CII XML embedded (Factur-X), kept by content so an unchanged
document is served without rendering.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from billing.invoices.customer_document import (
    CustomerDocument,
    load_credit_note_document,
    load_customer_document,
)
from billing.invoices.document_files import document_pdf, pdf_filename
from billing.invoices.documents import InvoiceDocument, cii_xml, ubl_xml
from billing.invoices.links import DocumentLink, InvalidPreviewToken, verify_preview_token
from graph.ids import parse_id
from ispbox.config import Settings

# The link itself is the credential: kept out of shared caches and referrers.
DOCUMENT_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
}
EINVOICE_SYNTAXES = {"CII": DocumentLink.CII, "UBL": DocumentLink.UBL}

Opened = TypeVar("Opened")


@dataclass(frozen=True, slots=True)
class LinkedRecord:
    """What a document's address names: the path parameter holding its id, and its noun."""

    path_param: str
    noun: str

    def not_found(self) -> Response:
        return PlainTextResponse(f"No such {self.noun}.", status_code=404)


INVOICE = LinkedRecord("invoice_id", "invoice")
CREDIT_NOTE = LinkedRecord("credit_note_id", "credit note")


async def open_linked(
    request: Request,
    kind: DocumentLink,
    record: LinkedRecord,
    load: Callable[[int, int], Awaitable[Opened | None]],
) -> Opened | Response:
    """What the request's signed link opens as a `kind` document of `record`, loaded by
    `load(tenant_id, id)`, or the refusal."""
    settings: Settings = request.app.state.settings
    # The path's id is read here, not by the route: a number too long for int() names no row.
    path_id = parse_id(request.path_params[record.path_param])
    if path_id is None:
        return record.not_found()
    try:
        tenant_id, linked_id = verify_preview_token(
            request.query_params.get("token", ""),
            secret=settings.signing_key,
            max_ttl_seconds=settings.preview_link_ttl_seconds,
            kind=kind,
        )
    except InvalidPreviewToken as refusal:
        return PlainTextResponse(f"Forbidden: {refusal}.", status_code=403)
    if linked_id != path_id:
        return PlainTextResponse(
            f"Forbidden: the link is for another {record.noun}.", status_code=403
        )
    opened = await load(tenant_id, linked_id)
    return record.not_found() if opened is None else opened


async def open_linked_invoice(request: Request, kind: DocumentLink) -> CustomerDocument | Response:
    """The invoice the request's signed link opens as a `kind` document, or the refusal."""
    return await open_linked(request, kind, INVOICE, load_customer_document)


async def open_linked_credit_note(
    request: Request, kind: DocumentLink
) -> InvoiceDocument | Response:
    """The credit note the request's signed link opens as a `kind` document, or the refusal."""
    return await open_linked(request, kind, CREDIT_NOTE, load_credit_note_document)


async def invoice_pdf_file(request: Request) -> Response:
    """GET /invoices/{invoice_id}/pdf?token=…: the invoice as PDF/A-3 with factur-x.xml."""
    opened = await open_linked_invoice(request, DocumentLink.PDF)
    if isinstance(opened, Response):
        return opened
    if opened.is_draft:
        return INVOICE.not_found()
    return await pdf_response(opened.document)


async def credit_note_pdf_file(request: Request) -> Response:
    """GET /credit-notes/{credit_note_id}/pdf?token=…: the credit note as PDF/A-3 with
    factur-x.xml."""
    opened = await open_linked_credit_note(request, DocumentLink.CREDIT_NOTE_PDF)
    if isinstance(opened, Response):
        return opened
    return await pdf_response(opened)


async def pdf_response(document: InvoiceDocument) -> Response:
    """The document's PDF, from the kept files or rendered and kept."""
    pdf = await document_pdf(document)
    disposition = f'inline; filename="{pdf_filename(document)}"'
    headers = {**DOCUMENT_HEADERS, "Content-Disposition": disposition}
    return Response(pdf, media_type="application/pdf", headers=headers)


async def invoice_einvoice(request: Request) -> Response:
    """GET /invoices/{invoice_id}/einvoice.xml?syntax=CII|UBL&token=…: the EN 16931 XML."""
    kind = EINVOICE_SYNTAXES.get(request.query_params.get("syntax", "").upper())
    if kind is None:
        return PlainTextResponse("Bad request: syntax is CII or UBL.", status_code=400)
    opened = await open_linked_invoice(request, kind)
    if isinstance(opened, Response):
        return opened
    if opened.is_draft:
        return INVOICE.not_found()
    xml = cii_xml(opened.document) if kind is DocumentLink.CII else ubl_xml(opened.document)
    return Response(xml, media_type="application/xml", headers=DOCUMENT_HEADERS)
