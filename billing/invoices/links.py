"""Signed links to the customer's documents (an invoice's preview page, PDF and e-invoice XML, a
credit note's preview page and PDF), openable without logging in until they expire.

A token is `<payload>.<signature>`, both base64url without padding: the payload names the kind of
document, the tenant, the invoice or credit note and the expiry (Unix seconds), and the signature
is HMAC-SHA256 of the payload under the server's secret key. A link opens only the kind of
document it was made for, only until its expiry, and never for longer than the time to live
configured now: an expiry further ahead was not made by this server. Invoices and credit notes
have kinds of their own, so a link made for invoice N never opens credit note N, nor the other way
round. Tokens of the first format (no kind) open the preview page only, so links already emailed
keep working until they expire.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import time

TOKEN_VERSION = "v2"
# Tokens made before links named their document: they open the preview page.
PREVIEW_ONLY_VERSION = "v1"
# Ids are 64-bit database keys: anything outside can't name a row.
MAX_ID = 2**63 - 1


class DocumentLink(enum.StrEnum):
    """What a link opens: an invoice's preview page, PDF or e-invoice in one syntax, or a credit
    note's preview page or PDF."""

    PREVIEW = "preview"
    PDF = "pdf"
    CII = "cii"
    UBL = "ubl"
    CREDIT_NOTE_PREVIEW = "credit_note_preview"
    CREDIT_NOTE_PDF = "credit_note_pdf"


# The credit note's page each of its link kinds opens.
CREDIT_NOTE_VIEWS = {
    DocumentLink.CREDIT_NOTE_PREVIEW: "preview",
    DocumentLink.CREDIT_NOTE_PDF: "pdf",
}


class InvalidPreviewToken(Exception):
    """The token is expired, tampered with, malformed or for another kind of document; the
    message says which."""


def make_preview_token(
    *,
    tenant_id: int,
    invoice_id: int,
    secret: str,
    ttl_seconds: int,
    now: float | None = None,
    kind: DocumentLink = DocumentLink.PREVIEW,
) -> str:
    """A url-safe token that opens one kind of document of one invoice (or, for the credit note
    kinds, one credit note: `invoice_id` is then its id) of one tenant for `ttl_seconds` from
    now."""
    expires_at = int(now if now is not None else time.time()) + ttl_seconds
    payload = f"{TOKEN_VERSION}:{kind.value}:{tenant_id}:{invoice_id}:{expires_at}".encode()
    return f"{_encode(payload)}.{_encode(_sign(payload, secret))}"


def verify_preview_token(
    token: str,
    *,
    secret: str,
    max_ttl_seconds: int,
    now: float | None = None,
    kind: DocumentLink = DocumentLink.PREVIEW,
) -> tuple[int, int]:
    """The (tenant_id, invoice_id) a valid token of this kind opens (for the credit note kinds,
    the credit note's id); raises InvalidPreviewToken otherwise."""
    payload, signature = _split(token)
    if not hmac.compare_digest(signature, _sign(payload, secret)):
        raise InvalidPreviewToken("the link is not valid")
    token_kind, tenant_id, invoice_id, expires_at = _parse_payload(payload)
    if token_kind is not kind:
        raise InvalidPreviewToken("the link is for another document")
    current = now if now is not None else time.time()
    if current >= expires_at:
        raise InvalidPreviewToken("the link has expired")
    if expires_at - current > max_ttl_seconds:
        raise InvalidPreviewToken("the link is not valid")
    return tenant_id, invoice_id


def is_storable_id(value: int) -> bool:
    """Whether the number can be a row's id (1 to 2**63 - 1)."""
    return 1 <= value <= MAX_ID


def preview_url(public_url: str, invoice_id: int, token: str) -> str:
    """The address of the invoice's preview page carrying its token."""
    return f"{public_url.rstrip('/')}/invoices/{invoice_id}/preview?token={token}"


def pdf_url(public_url: str, invoice_id: int, token: str) -> str:
    """The address of the invoice's PDF carrying its token."""
    return f"{public_url.rstrip('/')}/invoices/{invoice_id}/pdf?token={token}"


def einvoice_url(public_url: str, invoice_id: int, kind: DocumentLink, token: str) -> str:
    """The address of the invoice's e-invoice XML in the syntax `kind` (CII or UBL)."""
    syntax = kind.value.upper()
    return (
        f"{public_url.rstrip('/')}/invoices/{invoice_id}/einvoice.xml?syntax={syntax}&token={token}"
    )


def credit_note_link(
    public_url: str,
    *,
    tenant_id: int,
    credit_note_id: int,
    kind: DocumentLink,
    secret: str,
    ttl_seconds: int,
) -> str:
    """A signed link to the credit note's preview page or PDF (`kind`)."""
    view = CREDIT_NOTE_VIEWS[kind]
    token = make_preview_token(
        tenant_id=tenant_id,
        invoice_id=credit_note_id,
        secret=secret,
        ttl_seconds=ttl_seconds,
        kind=kind,
    )
    return f"{public_url.rstrip('/')}/credit-notes/{credit_note_id}/{view}?token={token}"


def _sign(payload: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidPreviewToken("the link is malformed") from exc


def _split(token: str) -> tuple[bytes, bytes]:
    if not isinstance(token, str) or token.count(".") != 1:
        raise InvalidPreviewToken("the link is malformed")
    payload_text, signature_text = token.split(".")
    if not payload_text or not signature_text:
        raise InvalidPreviewToken("the link is malformed")
    return _decode(payload_text), _decode(signature_text)


def _parse_payload(payload: bytes) -> tuple[DocumentLink, int, int, int]:
    """Only reached for a correctly signed payload, so a bad shape means a changed format."""
    try:
        version, *fields = payload.decode("ascii").split(":")
        if version == PREVIEW_ONLY_VERSION:
            fields = [DocumentLink.PREVIEW.value, *fields]
        elif version != TOKEN_VERSION:
            raise ValueError(version)
        kind, tenant_id, invoice_id, expires_at = fields
        ids = int(tenant_id), int(invoice_id)
        if not all(map(is_storable_id, ids)):
            raise ValueError(ids)
        return DocumentLink(kind), *ids, int(expires_at)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidPreviewToken("the link is malformed") from exc
