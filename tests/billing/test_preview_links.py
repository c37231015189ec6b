"""Signed preview links: they open one invoice of one tenant until they expire."""

from __future__ import annotations

import base64
import re

import pytest

from billing.preview_links import (
    InvalidPreviewToken,
    make_preview_token,
    preview_url,
    verify_preview_token,
)

SECRET = "a-long-random-secret"
NOW = 1_790_000_000.0
HOUR = 3600


def token_for(tenant_id: int = 7, invoice_id: int = 1234, ttl_seconds: int = HOUR) -> str:
    return make_preview_token(
        tenant_id=tenant_id, invoice_id=invoice_id, secret=SECRET, ttl_seconds=ttl_seconds, now=NOW
    )


def test_a_fresh_token_opens_its_tenant_and_invoice() -> None:
    assert verify_preview_token(token_for(), secret=SECRET, now=NOW + 10) == (7, 1234)


def test_token_is_url_safe() -> None:
    assert re.fullmatch(r"[A-Za-z0-9_\-.]+", token_for())


def test_token_is_refused_once_expired() -> None:
    token = token_for(ttl_seconds=HOUR)

    assert verify_preview_token(token, secret=SECRET, now=NOW + HOUR - 1) == (7, 1234)
    with pytest.raises(InvalidPreviewToken, match="expired"):
        verify_preview_token(token, secret=SECRET, now=NOW + HOUR)


def test_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidPreviewToken):
        verify_preview_token(token_for(), secret="another-secret", now=NOW)


def test_token_with_a_changed_invoice_is_refused() -> None:
    payload, signature = token_for().split(".")
    padded = payload + "=" * (-len(payload) % 4)
    changed = base64.urlsafe_b64decode(padded).replace(b":1234:", b":1235:")
    forged = base64.urlsafe_b64encode(changed).rstrip(b"=").decode() + "." + signature

    with pytest.raises(InvalidPreviewToken):
        verify_preview_token(forged, secret=SECRET, now=NOW)


def test_token_with_a_changed_signature_is_refused() -> None:
    payload, signature = token_for().split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(InvalidPreviewToken):
        verify_preview_token(f"{payload}.{flipped}", secret=SECRET, now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", ".", "abc.", "!!!.???", "x" * 500])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidPreviewToken):
        verify_preview_token(token, secret=SECRET, now=NOW)


def test_preview_url_carries_invoice_and_token() -> None:
    assert (
        preview_url("https://billing.example.test", 1234, "tok")
        == "https://billing.example.test/invoices/1234/preview?token=tok"
    )
