"""An invoice's documents over signed links (no login): its PDF and its e-invoice XML.

The links follow the preview page's rules (billing.invoices.links): 403 for an expired, tampered
or foreign link or one made for another document, 404 where the tenant has no such invoice. A
draft has no number and is no document yet: its PDF and XML are 404 (its preview page shows it,
marked DRAFT). The PDF is PDF/A-3 with its EN 16931 CII XML embedded (Factur-X), kept by content
so an unchanged invoice is served without rendering.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from billing.invoices.customer_document import CustomerDocument, load_customer_document
from billing.invoices.document_files import invoice_pdf, pdf_filename
from billing.invoices.documents import cii_xml, ubl_xml
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
NOT_FOUND = "No such invoice."


async def open_linked_invoice(request: Request, kind: DocumentLink) -> CustomerDocument | Response:
    """The invoice the request's signed link opens as a `kind` document, or the refusal."""
    settings: Settings = request.app.state.settings
    # The path's id is read here, not by the route: a number too long for int() is no invoice.
    path_invoice_id = parse_id(request.path_params["invoice_id"])
    if path_invoice_id is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    try:
        tenant_id, invoice_id = verify_preview_token(
            request.query_params.get("token", ""),
            secret=settings.signing_key,
            max_ttl_seconds=settings.preview_link_ttl_seconds,
            kind=kind,
        )
    except InvalidPreviewToken as refusal:
        return PlainTextResponse(f"Forbidden: {refusal}.", status_code=403)
    if invoice_id != path_invoice_id:
        return PlainTextResponse("Forbidden: the link is for another invoice.", status_code=403)
    document = await load_customer_document(tenant_id, invoice_id)
    if document is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    return document


async def invoice_pdf_file(request: Request) -> Response:
    """GET /invoices/{invoice_id}/pdf?token=…: the invoice as PDF/A-3 with factur-x.xml."""
    opened = await open_linked_invoice(request, DocumentLink.PDF)
    if isinstance(opened, Response):
        return opened
    if opened.is_draft:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    pdf = await invoice_pdf(opened.document)
    disposition = f'inline; filename="{pdf_filename(opened.number)}"'
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
        return PlainTextResponse(NOT_FOUND, status_code=404)
    xml = cii_xml(opened.document) if kind is DocumentLink.CII else ubl_xml(opened.document)
    return Response(xml, media_type="application/xml", headers=DOCUMENT_HEADERS)
