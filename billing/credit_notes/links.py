"""Signed links to a credit note's preview and PDF, in the style of the invoice's preview links.

The token is an invoice preview token made under a key of its own (the server's secret bound to
"credit-note"), so a link made for invoice N never opens credit note N, nor the other way round.
"""

from __future__ import annotations

from billing.invoices.links import make_preview_token, verify_preview_token

KEY_PURPOSE = "credit-note"


def _secret(secret: str) -> str:
    return f"{secret}:{KEY_PURPOSE}"


def make_credit_note_token(
    *, tenant_id: int, credit_note_id: int, secret: str, ttl_seconds: int
) -> str:
    """A url-safe token that opens one credit note of one tenant for `ttl_seconds` from now."""
    return make_preview_token(
        tenant_id=tenant_id,
        invoice_id=credit_note_id,
        secret=_secret(secret),
        ttl_seconds=ttl_seconds,
    )


def verify_credit_note_token(
    token: str, *, secret: str, max_ttl_seconds: int, now: float | None = None
) -> tuple[int, int]:
    """The (tenant_id, credit_note_id) a valid token opens; raises InvalidPreviewToken."""
    return verify_preview_token(
        token, secret=_secret(secret), max_ttl_seconds=max_ttl_seconds, now=now
    )


def credit_note_url(public_url: str, credit_note_id: int, token: str, view: str) -> str:
    """The address of the credit note's `view` ("preview" or "pdf") carrying its token."""
    return f"{public_url.rstrip('/')}/credit-notes/{credit_note_id}/{view}?token={token}"
