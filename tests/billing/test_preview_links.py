"""Signed document links: they open one invoice or credit note of one tenant until they expire,
never for longer than the configured time to live."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest

from billing.invoices.links import (
    MAX_ID,
    DocumentLink,
    InvalidPreviewToken,
    credit_note_link,
    make_preview_token,
    preview_url,
    verify_preview_token,
)

SECRET = "a-long-random-secret"
NOW = 1_790_000_000.0
HOUR = 3600
DAY = 24 * HOUR


def token_for(tenant_id: int = 7, invoice_id: int = 1234, ttl_seconds: int = HOUR) -> str:
    return make_preview_token(
        tenant_id=tenant_id, invoice_id=invoice_id, secret=SECRET, ttl_seconds=ttl_seconds, now=NOW
    )


def verify(token: str, *, secret: str = SECRET, now: float, ttl: int = DAY) -> tuple[int, int]:
    return verify_preview_token(token, secret=secret, max_ttl_seconds=ttl, now=now)


def signed(payload: str, secret: str = SECRET) -> str:
    """A token for any payload, signed with the key (what only the key's holder can make)."""

    def encode(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return f"{encode(payload.encode())}.{encode(signature)}"


def test_a_fresh_token_opens_its_tenant_and_invoice() -> None:
    assert verify(token_for(), now=NOW + 10) == (7, 1234)


def test_token_is_url_safe() -> None:
    assert re.fullmatch(r"[A-Za-z0-9_\-.]+", token_for())


def test_token_is_refused_once_expired() -> None:
    token = token_for(ttl_seconds=HOUR)

    assert verify(token, now=NOW + HOUR - 1) == (7, 1234)
    with pytest.raises(InvalidPreviewToken, match="expired"):
        verify(token, now=NOW + HOUR)


def test_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidPreviewToken):
        verify(token_for(), secret="another-secret", now=NOW)


def test_token_with_a_changed_invoice_is_refused() -> None:
    payload, signature = token_for().split(".")
    padded = payload + "=" * (-len(payload) % 4)
    changed = base64.urlsafe_b64decode(padded).replace(b":1234:", b":1235:")
    forged = base64.urlsafe_b64encode(changed).rstrip(b"=").decode() + "." + signature

    with pytest.raises(InvalidPreviewToken):
        verify(forged, now=NOW)


def test_token_with_a_changed_signature_is_refused() -> None:
    payload, signature = token_for().split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(InvalidPreviewToken):
        verify(f"{payload}.{flipped}", now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", ".", "abc.", "!!!.???", "x" * 500])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidPreviewToken):
        verify(token, now=NOW)


def test_preview_url_carries_invoice_and_token() -> None:
    assert (
        preview_url("https://billing.example.test", 1234, "tok")
        == "https://billing.example.test/invoices/1234/preview?token=tok"
    )


def test_a_token_valid_for_exactly_the_time_to_live_opens() -> None:
    assert verify(token_for(ttl_seconds=DAY), now=NOW, ttl=DAY) == (7, 1234)


def test_a_token_expiring_further_ahead_than_the_time_to_live_is_refused() -> None:
    far = token_for(ttl_seconds=10 * 365 * DAY)

    with pytest.raises(InvalidPreviewToken, match="not valid"):
        verify(far, now=NOW + 10, ttl=DAY)


def test_a_signed_far_expiry_is_refused_even_with_the_key() -> None:
    forged = signed(f"v1:7:1234:{int(NOW) + DAY + 60}")

    with pytest.raises(InvalidPreviewToken):
        verify(forged, now=NOW, ttl=DAY)


@pytest.mark.parametrize(
    ("tenant_id", "invoice_id"), [(MAX_ID + 1, 1), (7, MAX_ID + 1), (7, 2**70), (0, 1), (7, -1)]
)
def test_ids_that_no_row_can_have_are_refused(tenant_id: int, invoice_id: int) -> None:
    token = signed(f"v1:{tenant_id}:{invoice_id}:{int(NOW) + HOUR}")

    with pytest.raises(InvalidPreviewToken, match="malformed"):
        verify(token, now=NOW)


def test_the_largest_id_opens() -> None:
    assert verify(signed(f"v1:7:{MAX_ID}:{int(NOW) + HOUR}"), now=NOW) == (7, MAX_ID)


@pytest.mark.parametrize("kind", [DocumentLink.PDF, DocumentLink.CII, DocumentLink.UBL])
def test_a_token_opens_only_the_document_it_was_made_for(kind: DocumentLink) -> None:
    token = make_preview_token(
        tenant_id=7, invoice_id=1234, secret=SECRET, ttl_seconds=HOUR, now=NOW, kind=kind
    )

    assert verify_preview_token(token, secret=SECRET, max_ttl_seconds=DAY, now=NOW, kind=kind) == (
        7,
        1234,
    )
    with pytest.raises(InvalidPreviewToken, match="another document"):
        verify(token, now=NOW)


def test_a_token_of_the_first_format_still_opens_the_preview_only() -> None:
    earlier = signed(f"v1:7:1234:{int(NOW) + HOUR}")

    assert verify(earlier, now=NOW) == (7, 1234)
    with pytest.raises(InvalidPreviewToken, match="another document"):
        verify_preview_token(
            earlier, secret=SECRET, max_ttl_seconds=DAY, now=NOW, kind=DocumentLink.PDF
        )


CREDIT_NOTE_KINDS = [DocumentLink.CREDIT_NOTE_PREVIEW, DocumentLink.CREDIT_NOTE_PDF]
INVOICE_KINDS = [DocumentLink.PREVIEW, DocumentLink.PDF, DocumentLink.CII, DocumentLink.UBL]


def credit_note_token(kind: DocumentLink, ttl_seconds: int = HOUR, now: float = NOW) -> str:
    link = credit_note_link(
        "https://billing.example.test",
        tenant_id=7,
        credit_note_id=1234,
        kind=kind,
        secret=SECRET,
        ttl_seconds=ttl_seconds,
    )
    return link.split("token=")[1]


@pytest.mark.parametrize("kind", CREDIT_NOTE_KINDS)
def test_a_credit_note_link_opens_its_credit_note_and_no_invoice(kind: DocumentLink) -> None:
    token = credit_note_token(kind)

    assert verify_preview_token(token, secret=SECRET, max_ttl_seconds=DAY, kind=kind) == (7, 1234)
    for invoice_kind in INVOICE_KINDS:
        with pytest.raises(InvalidPreviewToken, match="another document"):
            verify_preview_token(token, secret=SECRET, max_ttl_seconds=DAY, kind=invoice_kind)


@pytest.mark.parametrize("invoice_kind", INVOICE_KINDS)
def test_an_invoice_link_opens_no_credit_note(invoice_kind: DocumentLink) -> None:
    token = make_preview_token(
        tenant_id=7, invoice_id=1234, secret=SECRET, ttl_seconds=HOUR, now=NOW, kind=invoice_kind
    )

    for kind in CREDIT_NOTE_KINDS:
        with pytest.raises(InvalidPreviewToken, match="another document"):
            verify_preview_token(token, secret=SECRET, max_ttl_seconds=DAY, now=NOW, kind=kind)


def test_a_credit_note_link_longer_than_the_time_to_live_is_refused() -> None:
    kind = DocumentLink.CREDIT_NOTE_PDF
    far = credit_note_token(kind, ttl_seconds=10 * 365 * DAY)

    with pytest.raises(InvalidPreviewToken, match="not valid"):
        verify_preview_token(far, secret=SECRET, max_ttl_seconds=DAY, kind=kind)


@pytest.mark.parametrize(
    ("kind", "page"),
    [(DocumentLink.CREDIT_NOTE_PREVIEW, "preview"), (DocumentLink.CREDIT_NOTE_PDF, "pdf")],
)
def test_a_credit_note_link_points_at_its_page(kind: DocumentLink, page: str) -> None:
    link = credit_note_link(
        "https://billing.example.test/",
        tenant_id=7,
        credit_note_id=1234,
        kind=kind,
        secret=SECRET,
        ttl_seconds=HOUR,
    )

    assert link.startswith(f"https://billing.example.test/credit-notes/1234/{page}?token=")
