"""Documents are cached by a hash of their content: same content, same key; any change, new key."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

from billing.invoices.documents import content_hash
from tests.billing.invoices.documents.samples import EUR_LINES, make_document


def test_equal_documents_have_one_hash():
    assert content_hash(make_document(EUR_LINES)) == content_hash(make_document(EUR_LINES))


def test_any_change_of_content_changes_the_hash(eur_invoice):
    seller = dataclasses.replace(eur_invoice.seller, tax_id="DE999999999")
    line = dataclasses.replace(eur_invoice.lines[0], description="Fibre 1000 — November")
    changed = [
        dataclasses.replace(eur_invoice, seller=seller),
        dataclasses.replace(eur_invoice, lines=(line, *eur_invoice.lines[1:])),
        dataclasses.replace(eur_invoice, number="INV-2026-0118"),
    ]

    hashes = {content_hash(eur_invoice), *(content_hash(doc) for doc in changed)}

    assert len(hashes) == len(changed) + 1


def test_locale_is_part_of_the_key(eur_invoice):
    assert content_hash(eur_invoice, "en") != content_hash(eur_invoice, "de")


def test_the_hash_is_the_same_in_another_process(eur_invoice):
    """Workers and the API share the cache: the key may not depend on the process."""
    script = (
        "from tests.billing.invoices.documents.samples import EUR_LINES, make_document;"
        "from billing.invoices.documents import content_hash;"
        "print(content_hash(make_document(EUR_LINES)))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment
    )

    assert result.stdout.strip() == content_hash(eur_invoice)
