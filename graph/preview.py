"""The invoice preview page: the invoice as HTML, opened with a signed, expiring link (no login)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from billing.invoices.links import InvalidPreviewToken, verify_preview_token
from billing.invoices.preview import load_invoice_document, render_invoice_html
from graph.ids import parse_id
from ispbox.config import Settings

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
    settings: Settings = request.app.state.settings
    # The path's id is read here, not by the route: a number too long for int() is no invoice.
    path_invoice_id = parse_id(request.path_params["invoice_id"])
    if path_invoice_id is None:
        return PlainTextResponse("No such invoice.", status_code=404)
    try:
        tenant_id, invoice_id = verify_preview_token(
            request.query_params.get("token", ""),
            secret=settings.signing_key,
            max_ttl_seconds=settings.preview_link_ttl_seconds,
        )
    except InvalidPreviewToken as refusal:
        return PlainTextResponse(f"Forbidden: {refusal}.", status_code=403)
    if invoice_id != path_invoice_id:
        return PlainTextResponse("Forbidden: the link is for another invoice.", status_code=403)
    document = await load_invoice_document(tenant_id, invoice_id)
    if document is None:
        return PlainTextResponse("No such invoice.", status_code=404)
    return HTMLResponse(render_invoice_html(document), headers=PAGE_HEADERS)
