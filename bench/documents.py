"""How fast invoices become PDFs, previews and e-invoices, per core.

Renders A4 invoices of 8 lines (EUR, two tax rates, Greek and Cyrillic names), each with a number
of its own as a run's are, with the process's renderer (reused typst compilers) and prints, per
stage, the median wall time and the CPU time a document costs, and what that gives per core;
first the floor under any template (typst's PDF/A-3b of an empty page, and of one line of text).
Then the API's GET /invoices/{id}/pdf of an invoice whose PDF is already kept (table
document_files): the request, the signed link, the invoice read from the database, its content
hash and the kept file, on SQLite and on a scratch PostgreSQL database (each in a process of its
own). Not a test.

    .venv/bin/python -m bench.documents [--repeat 200] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
import httpx
import typst

from bench.scratch import create_database, database_url, drop_database, scratch_name
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
from billing.invoices.documents.render import (
    FONTS,
    DocumentRenderer,
    check_facturx_xsd,
    template_inputs,
)
from billing.invoices.documents.xmp import FacturX, with_facturx_xmp
from billing.invoices.lines import InvoiceLineKind
from billing.invoices.links import DocumentLink, make_preview_token
from billing.taxes import TaxableLine, calculate_taxes
from graph.app import create_app
from ispbox.config import Settings
from orm.db import close_database, migrate_database, open_database
from orm.models import Client, Invoice, InvoiceLine, InvoiceTax, Tenant

SECRET = "bench-documents-secret-key-of-enough-length-0123456789"

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


def measure(name: str, render: Callable[[int], object], repeat: int) -> None:
    """Median wall and mean CPU time of render(0) … render(repeat - 1), after one warm call."""
    render(repeat)  # warm: fonts parsed, template compiled
    walls, cpus = [], []
    for n in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        render(n)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall_ms = statistics.median(walls) * 1000
    cpu_ms = statistics.mean(cpus) * 1000
    per_core = 1000 / cpu_ms if cpu_ms else float("inf")
    print(f"{name:<44} {wall_ms:8.2f} ms wall {cpu_ms:8.2f} ms CPU {per_core:8.0f} /s per core")


def numbered(document: InvoiceDocument, count: int) -> list[InvoiceDocument]:
    """`count` + 1 copies of the document, each with a number of its own, as a run's are.

    typst memoizes layout: the same document rendered again costs a fraction of a new one, so
    the figures that matter for a month-end run are those of a new document each time.
    """
    return [replace(document, number=f"INV-2026-{n:06d}") for n in range(count + 1)]


def pdf_with_tags(documents: DocumentRenderer, document: InvoiceDocument) -> bytes:
    """typst's tagged PDF (structure tree), to show what leaving the tags out saves."""
    return documents._compiler.compile(
        format="pdf", sys_inputs=template_inputs(document, "en", "paged"), pdf_standards="a-3b"
    )


# The floor under any template here: what typst costs for a page with (almost) nothing on it,
# with the same fonts, PDF/A-3b and options as the renderer.
EMPTY_PAGE = """#let d = json(bytes(sys.inputs.document))
#set page(paper: "a4")
#set text(font: "DejaVu Sans", size: 8.5pt, fallback: false)
"""
ONE_LINE_PAGE = EMPTY_PAGE + "Invoice #d.number\n"


def floor_render(source: str, directory: Path) -> Callable[[InvoiceDocument], bytes]:
    """A compiler of `source` (written to `directory`) rendering as the renderer does."""
    main = directory / f"floor_{abs(hash(source))}.typ"
    main.write_text(source)
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)]
    )
    compiler = typst.Compiler(
        str(main), root=str(directory), font_paths=fonts, ignore_system_fonts=True
    )

    def render(document: InvoiceDocument) -> bytes:
        return compiler.compile(
            format="pdf",
            sys_inputs=template_inputs(document, "en", "paged"),
            pdf_standards="a-3b",
            pdf_tags=False,
        )

    return render


def facturx_library_embedding(pdf: bytes, xml: bytes) -> bytes:
    """The factur-x library's way, which the renderer ran before: the whole PDF re-written."""
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


async def stored_invoice() -> Invoice:
    """The sample invoice as the database holds it: seller, buyer, 8 lines, tax rows."""
    tenant = await Tenant.create(
        key="nordlicht",
        name="Nordlicht",
        currency="EUR",
        legal_name="Nordlicht Netz GmbH",
        address="Hafenstraße 5\n20457 Hamburg",
        tax_id="DE136695976",
        payment_instructions="IBAN DE02 1203 0000 0000 2020 51, BIC BYLADEM1001",
    )
    client = await Client.create(
        tenant=tenant, key="C-0042", name="Ελένη Παπαδοπούλου", tax_id="EL094259216"
    )
    taxes = calculate_taxes(
        [TaxableLine(price, rate) for _, price, rate in PRICES], prices_include_tax=False
    )
    invoice = await Invoice.create(
        tenant=tenant,
        client=client,
        number="INV-2026-0117",
        status="unpaid",
        issued_on=date(2026, 12, 1),
        due_on=date(2026, 12, 15),
        grace_until=date(2026, 12, 22),
        currency="EUR",
        subtotal_cents=taxes.subtotal,
        tax_cents=taxes.tax_total,
        total_cents=taxes.total,
        balance_cents=taxes.total,
    )
    for position, ((description, price, rate), taxed) in enumerate(
        zip(PRICES, taxes.lines, strict=True)
    ):
        await InvoiceLine.create(
            tenant=tenant,
            invoice=invoice,
            position=position,
            kind=InvoiceLineKind.SERVICE,
            description=description,
            quantity=Decimal(1),
            unit_price_cents=price,
            amount_cents=taxed.net,
            tax_rate=rate,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 30),
        )
    for row in taxes.rows:
        await InvoiceTax.create(
            tenant=tenant,
            invoice=invoice,
            category=row.category.value,
            rate=row.rate,
            taxable_cents=row.taxable,
            tax_cents=row.tax,
        )
    return invoice


async def served_from_cache(name: str, url: str, repeat: int) -> None:
    """GET /invoices/{id}/pdf through the app, once to render and keep, then from the kept file."""
    await migrate_database(url)
    await open_database(url)
    try:
        invoice = await stored_invoice()
        settings = Settings(
            database_url=url, secret_key=SECRET, public_url="http://bench", broker_url="memory://"
        )
        token = make_preview_token(
            tenant_id=invoice.tenant_id,
            invoice_id=invoice.id,
            secret=SECRET,
            ttl_seconds=3600,
            kind=DocumentLink.PDF,
        )
        path = f"/invoices/{invoice.id}/pdf?token={token}"
        transport = httpx.ASGITransport(app=create_app(settings, manage_database=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as api:
            started = time.perf_counter()
            assert (await api.get(path)).status_code == 200
            first_ms = (time.perf_counter() - started) * 1000
            walls, cpus = [], []
            for _ in range(repeat):
                wall, cpu = time.perf_counter(), time.process_time()
                response = await api.get(path)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
                assert response.status_code == 200
    finally:
        await close_database()
    walls.sort()
    median_ms = statistics.median(walls) * 1000
    p95_ms = walls[int(len(walls) * 0.95) - 1] * 1000
    cpu_ms = statistics.mean(cpus) * 1000
    print(
        f"{'served from cache, ' + name:<44} {median_ms:8.2f} ms wall {cpu_ms:8.2f} ms CPU "
        f"{1000 / cpu_ms:8.0f} /s per core (p95 {p95_ms:.2f} ms; first request, rendering: "
        f"{first_ms:.0f} ms)",
        flush=True,
    )


def serve_from_databases(repeat: int, postgres: bool) -> None:
    """Each database in a process of its own: the ORM keeps one dialect's queries per process."""
    spawn = multiprocessing.get_context("spawn")
    for run in [serve_from_sqlite] + ([serve_from_postgres] if postgres else []):
        process = spawn.Process(target=run, args=(repeat,))
        process.start()
        process.join()


def serve_from_sqlite(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite://{directory}/bench.sqlite3"
        asyncio.run(served_from_cache("SQLite", url, repeat))


def serve_from_postgres(repeat: int) -> None:
    async def scratch() -> None:
        name = scratch_name("documents")
        await create_database(name)
        try:
            await served_from_cache("PostgreSQL", database_url(name), repeat)
        finally:
            await drop_database(name)

    asyncio.run(scratch())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--no-postgres", action="store_true", help="serve from SQLite only")
    arguments = parser.parse_args()
    repeat = arguments.repeat

    started = time.perf_counter()
    documents = renderer()
    document = sample_invoice()
    documents.pdf(document)
    print(f"cores: {os.cpu_count()}; first render with a new compiler: ", end="")
    print(f"{(time.perf_counter() - started) * 1000:.0f} ms")
    new = numbered(document, repeat)
    xmls = [cii_xml(each) for each in new]
    attached = documents.attached_pdf(document, xmls[0])
    with tempfile.TemporaryDirectory() as directory:
        empty = floor_render(EMPTY_PAGE, Path(directory))
        one_line = floor_render(ONE_LINE_PAGE, Path(directory))
        measure("floor: typst PDF/A-3b, an empty page", lambda n: empty(new[n]), repeat)
        measure("floor: typst PDF/A-3b, one line of text", lambda n: one_line(new[n]), repeat)
    measure("typst PDF/A-3b, same document again", lambda n: documents.pdf(document), repeat)
    measure("typst PDF/A-3b, untagged", lambda n: documents.pdf(new[n]), repeat)
    measure("typst PDF/A-3b, tagged", lambda n: pdf_with_tags(documents, new[n]), repeat)
    measure(
        "typst PDF/A-3b, CII XML attached",
        lambda n: documents.attached_pdf(new[n], xmls[n]),
        repeat,
    )
    measure(
        "Factur-X XMP, incremental update", lambda n: with_facturx_xmp(attached, FacturX()), repeat
    )
    measure("XSD check (schema parsed once)", lambda n: check_facturx_xsd(xmls[n]), repeat)
    measure("Factur-X PDF, all of it", lambda n: documents.facturx_pdf(new[n]), repeat)
    measure("Factur-X PDF, same document again", lambda n: documents.facturx_pdf(document), repeat)
    measure(
        "former way: typst, then factur-x re-writes",
        lambda n: facturx_library_embedding(documents.pdf(new[n]), cii_xml(new[n])),
        repeat,
    )
    measure("HTML preview (typst)", lambda n: documents.html(new[n]), repeat)
    measure("CII XML", lambda n: cii_xml(new[n]), repeat)
    measure("UBL XML", lambda n: ubl_xml(new[n]), repeat)
    measure("content hash", lambda n: content_hash(new[n]), repeat)
    print(f"Factur-X PDF size: {len(documents.facturx_pdf(document)):,} bytes", flush=True)
    serve_from_databases(repeat, postgres=not arguments.no_postgres)


if __name__ == "__main__":
    main()
