"""The invoice preview page: the invoice as HTML, opened with a signed, expiring link (no login)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from billing.invoices.links import DocumentLink
from billing.invoices.preview import render_invoice_html
from graph.documents import open_linked_invoice

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
