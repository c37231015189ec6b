"""How fast invoices become PDFs, previews and e-invoices, per core.

Renders one A4 invoice of 8 lines (EUR, two tax rates, Greek and Cyrillic names) again and again
with the process's one typst compiler and prints, per stage, the median wall time and the CPU
time a document costs, and what that gives per core. No database, no queue. Not a test.

    .venv/bin/python -m bench.documents [--repeat 200]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx

from billing.invoices.documents import (
    Buyer,
    DocumentKind,
    DocumentLine,
    InvoiceDocument,
    Seller,
    cii_xml,
    content_hash,
    renderer,
    ubl_xml,
)
from billing.invoices.documents.render import DocumentRenderer, check_facturx_xsd, template_inputs
from billing.taxes import TaxableLine, calculate_taxes

PRICES = [
    ("Fibre 500 — November", 4990, Decimal(19)),
    ("Static IPv4 address", 500, Decimal(19)),
    ("Router rental", 499, Decimal(7)),
    ("TV package Ελληνικά", 1290, Decimal(19)),
    ("Телефония: minutes", 312, Decimal(19)),
    ("Installation", 4900, Decimal(19)),
    ("Late fee", 500, None),
    ("Postage", 150, Decimal(0)),
]


def sample_invoice() -> InvoiceDocument:
    """An 8-line invoice, its figures from the tax engine."""
    taxes = calculate_taxes(
        [TaxableLine(price, rate) for _, price, rate in PRICES], prices_include_tax=False
    )
    lines = tuple(
        DocumentLine(
            description=description,
            quantity=Decimal(1),
            unit_price=price,
            net_amount=taxed.net,
            tax_category=taxed.category,
            tax_rate=taxed.rate,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 30),
        )
        for (description, price, _), taxed in zip(PRICES, taxes.lines, strict=True)
    )
    return InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="INV-2026-0117",
        issue_date=date(2026, 12, 1),
        due_date=date(2026, 12, 15),
        currency="EUR",
        exponent=2,
        seller=Seller(
            legal_name="Nordlicht Netz GmbH",
            address_lines=("Hafenstraße 5", "20457 Hamburg"),
            country_code="DE",
            tax_id="DE136695976",
            payment_instructions="IBAN DE02 1203 0000 0000 2020 51, BIC BYLADEM1001",
        ),
        buyer=Buyer(
            name="Ελένη Παπαδοπούλου",
            address_lines=("Odos Ermou 12", "105 63 Athina"),
            country_code="GR",
            account_key="C-0042",
            tax_id="EL094259216",
        ),
        lines=lines,
        tax_rows=taxes.rows,
        subtotal=taxes.subtotal,
        tax_total=taxes.tax_total,
        total=taxes.total,
        amount_paid=0,
        balance_due=taxes.total,
    )


def measure(name: str, render: Callable[[], object], repeat: int) -> None:
    render()  # warm: fonts parsed, template compiled
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        render()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall_ms = statistics.median(walls) * 1000
    cpu_ms = statistics.mean(cpus) * 1000
    per_core = 1000 / cpu_ms if cpu_ms else float("inf")
    print(f"{name:<38} {wall_ms:8.2f} ms wall {cpu_ms:8.2f} ms CPU {per_core:8.0f} /s per core")


def pdf_with_tags(documents: DocumentRenderer, document: InvoiceDocument) -> bytes:
    """typst's tagged PDF (structure tree), to show what leaving the tags out saves."""
    return documents._compiler.compile(
        format="pdf", sys_inputs=template_inputs(document, "en", "paged"), pdf_standards="a-3b"
    )


def embed_cii(pdf: bytes, xml: bytes) -> bytes:
    """The Factur-X step alone, as the renderer runs it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as output:
        facturx.generate_from_file(
            io.BytesIO(pdf),
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=False,
            pdf_metadata={"author": "", "keywords": "", "title": "", "subject": ""},
            output_pdf_file=output.name,
        )
        return Path(output.name).read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat

    started = time.perf_counter()
    documents = renderer()
    document = sample_invoice()
    documents.pdf(document)
    print(f"cores: {os.cpu_count()}; first render with a new compiler: ", end="")
    print(f"{(time.perf_counter() - started) * 1000:.0f} ms")
    measure("typst PDF/A-3b (untagged)", lambda: documents.pdf(document), repeat)
    measure("typst PDF/A-3b (tagged)", lambda: pdf_with_tags(documents, document), repeat)
    xml = cii_xml(document)
    untagged, tagged = documents.pdf(document), pdf_with_tags(documents, document)
    measure("factur-x step, untagged PDF", lambda: embed_cii(untagged, xml), repeat)
    measure("factur-x step, tagged PDF", lambda: embed_cii(tagged, xml), repeat)
    measure("XSD check (schema parsed once)", lambda: check_facturx_xsd(xml), repeat)
    measure("Factur-X PDF, all of it", lambda: documents.facturx_pdf(document), repeat)
    measure("HTML preview (typst)", lambda: documents.html(document), repeat)
    measure("CII XML", lambda: cii_xml(document), repeat)
    measure("UBL XML", lambda: ubl_xml(document), repeat)
    measure("content hash", lambda: content_hash(document), repeat)
    print(f"Factur-X PDF size: {len(documents.facturx_pdf(document)):,} bytes")


if __name__ == "__main__":
    main()
