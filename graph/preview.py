"""The preview pages: an invoice or a credit note as HTML, opened with a signed, expiring link (no
login)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from billing.invoices.documents import renderer
from billing.invoices.links import DocumentLink
from billing.invoices.preview import render_invoice_html
from graph.documents import open_linked_credit_note, open_linked_invoice

# The page is self-contained: inline styles, nothing else to load; kept out of caches and
# referrers because the link itself is the credential.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


async def invoice_preview(request: Request) -> Response:
    """GET /invoices/{invoice_id}/preview?token=…: 403 for an expired, tampered or foreign link,
    404 where the tenant has no such invoice."""
    opened = await open_linked_invoice(request, DocumentLink.PREVIEW)
    if isinstance(opened, Response):
        return opened
    return HTMLResponse(await render_invoice_html(opened), headers=PAGE_HEADERS)


async def credit_note_preview(request: Request) -> Response:
    """GET /credit-notes/{credit_note_id}/preview?token=…: refused as the invoice preview is."""
    opened = await open_linked_credit_note(request, DocumentLink.CREDIT_NOTE_PREVIEW)
    if isinstance(opened, Response):
        return opened
    return HTMLResponse(await asyncio.to_thread(renderer().html, opened), headers=PAGE_HEADERS)
