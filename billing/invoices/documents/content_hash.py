"""A stable key for a rendered document: the same content always gives the same key.

PDFs are cached by it. The key covers every field of the document, the locale, and the template
and fonts that draw it, so a changed invoice, template or font never serves a stale file.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from billing.invoices.documents.model import InvoiceDocument
from billing.invoices.documents.render import FONTS, TEMPLATE


def content_hash(document: InvoiceDocument, locale: str = "en") -> str:
    """Hex SHA-256 of the document's canonical JSON, its locale and the rendering assets."""
    canonical = json.dumps(
        {"document": _plain(document), "locale": locale, "assets": assets_digest()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@cache
def assets_digest() -> str:
    """Digest of the template and the font files, read once per process."""
    digest = hashlib.sha256(TEMPLATE.read_bytes())
    for font in sorted(FONTS.glob("*.ttf")):
        digest.update(font.name.encode())
        digest.update(font.read_bytes())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """The value as JSON: dataclasses as objects, Decimals as their exact strings, dates in ISO."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return {field.name: _plain(getattr(value, field.name)) for field in fields}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value
