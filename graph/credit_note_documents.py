"""A credit note's preview (HTML) and PDF (PDF/A-3 with its EN 16931 CII XML embedded), opened
with a signed, expiring link as the invoice preview is (no login)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from billing.credit_notes.document import load_credit_note_document
from billing.credit_notes.links import verify_credit_note_token
from billing.invoices.documents import InvoiceDocument, renderer
from billing.invoices.links import InvalidPreviewToken
from graph.ids import parse_id
from graph.preview import PAGE_HEADERS
from ispbox.config import Settings

NOT_FOUND = "No such credit note."


async def credit_note_preview(request: Request) -> Response:
    """GET /credit-notes/{credit_note_id}/preview?token=…"""
    document = await _document(request)
    if isinstance(document, Response):
        return document
    html = await asyncio.to_thread(renderer().html, document)
    return HTMLResponse(html, headers=PAGE_HEADERS)


async def credit_note_pdf(request: Request) -> Response:
    """GET /credit-notes/{credit_note_id}/pdf?token=…"""
    document = await _document(request)
    if isinstance(document, Response):
        return document
    pdf = await asyncio.to_thread(renderer().facturx_pdf, document)
    headers = {
        **PAGE_HEADERS,
        "Content-Disposition": f'inline; filename="{document.number}.pdf"',
    }
    return Response(pdf, media_type="application/pdf", headers=headers)


async def _document(request: Request) -> InvoiceDocument | Response:
    """The credit note the link opens, or the refusal: 403 for an expired, tampered or foreign
    link, 404 where the tenant has no such credit note."""
    settings: Settings = request.app.state.settings
    path_id = parse_id(request.path_params["credit_note_id"])
    if path_id is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    try:
        tenant_id, credit_note_id = verify_credit_note_token(
            request.query_params.get("token", ""),
            secret=settings.signing_key,
            max_ttl_seconds=settings.preview_link_ttl_seconds,
        )
    except InvalidPreviewToken as refusal:
        return PlainTextResponse(f"Forbidden: {refusal}.", status_code=403)
    if credit_note_id != path_id:
        return PlainTextResponse("Forbidden: the link is for another credit note.", status_code=403)
    document = await load_credit_note_document(tenant_id, credit_note_id)
    if document is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    return document
