"""The Factur-X fields added to a typst PDF/A-3b's XMP metadata, as a PDF incremental update.

typst attaches the CII XML itself (file specification with /AFRelationship, /EmbeddedFiles, the
catalog's /AF) but writes its own XMP packet, without the Factur-X extension schema that names the
XML's file name, type, version and profile. Rather than re-writing the whole PDF (factur-x copies
every object through pypdf), the metadata stream is replaced by an incremental update appended to
the original bytes: the new stream object, a cross-reference section for it and a trailer whose
/Prev points at the original one. PDF/A allows incremental updates; the first revision stays intact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

FACTURX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
NAMESPACES = {
    "rdf": RDF,
    "fx": FACTURX_NAMESPACE,
    "pdfaExtension": PDFA_EXTENSION,
    "pdfaSchema": PDFA_SCHEMA,
    "pdfaProperty": PDFA_PROPERTY,
}

# Each Factur-X property with the description its PDF/A extension schema gives it.
FACTURX_PROPERTIES = {
    "DocumentFileName": "The name of the embedded XML document",
    "DocumentType": "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
    "Version": "The actual version of the standard applying to the embedded XML document",
    "ConformanceLevel": "The conformance level of the embedded XML document",
}

_TRAILER = re.compile(
    rb"trailer\s*<<(?P<entries>.*?)>>\s*startxref\s+(?P<xref>\d+)\s*%%EOF\s*$", re.DOTALL
)
_REFERENCE = rb"\s+(\d+)\s+(\d+)\s+R"
_SUBSECTION = re.compile(rb"(\d+)[ ]+(\d+)[ ]*\r?\n")
_STREAM_START = re.compile(
    rb"\s*(\d+)\s+(\d+)\s+obj\s*<<(?P<entries>.*?)>>\s*stream\r?\n", re.DOTALL
)


class UnexpectedPdfLayout(ValueError):
    """The PDF is not laid out as the typst export writes it (classic xref, plain XMP stream)."""


@dataclass(frozen=True)
class FacturX:
    """What the Factur-X XMP fields say about the embedded XML."""

    file_name: str = "factur-x.xml"
    document_type: str = "INVOICE"
    version: str = "1.0"
    conformance_level: str = "EN 16931"


def with_facturx_xmp(pdf: bytes, facturx: FacturX) -> bytes:
    """The PDF with the Factur-X fields in its XMP metadata, appended as an incremental update."""
    trailer = _TRAILER.search(pdf, len(pdf) - 1024 if len(pdf) > 1024 else 0)
    if trailer is None:
        raise UnexpectedPdfLayout("no classic trailer at the end of the PDF")
    entries, previous_xref = trailer["entries"], int(trailer["xref"])
    offsets = _xref_offsets(pdf, previous_xref)
    root = _reference(entries, b"/Root")
    catalog = pdf[offsets[root] : pdf.index(b"endobj", offsets[root])]
    metadata = _reference(catalog, b"/Metadata")
    xmp = facturx_xmp(_stream(pdf, offsets[metadata]), facturx)
    return pdf + _incremental_update(len(pdf), metadata, xmp, entries, previous_xref)


def facturx_xmp(xmp: bytes, facturx: FacturX) -> bytes:
    """The XMP packet with the Factur-X properties and their PDF/A extension schema added."""
    packet = etree.fromstring(xmp)
    rdf = packet.find(f"{{{RDF}}}RDF")
    if rdf is None:
        raise UnexpectedPdfLayout("the XMP metadata has no rdf:RDF")
    _schemas_bag(rdf).append(_extension_schema())
    fields = _element(rdf, "rdf:Description", {f"{{{RDF}}}about": ""})
    for name, value in (
        ("DocumentType", facturx.document_type),
        ("DocumentFileName", facturx.file_name),
        ("Version", facturx.version),
        ("ConformanceLevel", facturx.conformance_level),
    ):
        _element(fields, f"fx:{name}").text = value
    return etree.tostring(packet.getroottree(), encoding="utf-8", xml_declaration=False)


def _xref_offsets(pdf: bytes, xref: int) -> dict[int, int]:
    """Object number → byte offset, from the classic cross-reference table at `xref`."""
    if not pdf.startswith(b"xref", xref):
        raise UnexpectedPdfLayout("the cross-reference is not a classic table")
    offsets: dict[int, int] = {}
    position = pdf.index(b"\n", xref) + 1
    while subsection := _SUBSECTION.match(pdf, position):
        first, count = int(subsection[1]), int(subsection[2])
        position = subsection.end()
        for number in range(first, first + count):
            entry = pdf[position : position + 20]
            if entry[17:18] == b"n":
                offsets[number] = int(entry[:10])
            position += 20
    return offsets


def _reference(entries: bytes, key: bytes) -> int:
    match = re.search(re.escape(key) + _REFERENCE, entries)
    if match is None or match[2] != b"0":
        raise UnexpectedPdfLayout(f"no indirect {key.decode()} of generation 0")
    return int(match[1])


def _stream(pdf: bytes, offset: int) -> bytes:
    """The data of the unfiltered stream object at `offset`."""
    start = _STREAM_START.match(pdf, offset)
    length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", start["entries"]) if start else None
    if start is None or length is None or b"/Filter" in start["entries"]:
        raise UnexpectedPdfLayout("the XMP metadata is not a plain stream of direct length")
    return pdf[start.end() : start.end() + int(length[1])]


def _incremental_update(
    offset: int, metadata: int, xmp: bytes, trailer: bytes, previous_xref: int
) -> bytes:
    """The new metadata object, its cross-reference section and a trailer chained by /Prev.

    The section starts with the free-list head (object 0) as a first revision's does: readers
    take a section starting elsewhere for a mis-numbered table and try to renumber it.
    """
    body = (
        b"\n%d 0 obj\n<</Length %d/Type/Metadata/Subtype/XML>>\nstream\n" % (metadata, len(xmp))
        + xmp
        + b"\nendstream\nendobj\n"
    )
    xref = offset + len(body)
    entries = re.sub(rb"/Prev\s+\d+", b"", trailer)
    section = b"xref\n0 1\n0000000000 65535 f\r\n%d 1\n%010d 00000 n\r\n" % (metadata, offset + 1)
    return (
        body
        + section
        + b"trailer\n<<%s/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (entries, previous_xref, xref)
    )


def _schemas_bag(rdf: etree._Element) -> etree._Element:
    """The rdf:Bag of PDF/A extension schemas, made in a description of its own if missing."""
    bag = rdf.find(f"{{{RDF}}}Description/{{{PDFA_EXTENSION}}}schemas/{{{RDF}}}Bag")
    if bag is None:
        description = _element(rdf, "rdf:Description", {f"{{{RDF}}}about": ""})
        bag = _element(_element(description, "pdfaExtension:schemas"), "rdf:Bag")
    return bag


def _extension_schema() -> etree._Element:
    """The PDF/A extension schema describing the fx properties (PDF/A needs one per namespace)."""
    resource = {f"{{{RDF}}}parseType": "Resource"}
    schema = etree.Element(f"{{{RDF}}}li", resource, nsmap=NAMESPACES)
    _element(schema, "pdfaSchema:schema").text = "Factur-X PDFA Extension Schema"
    _element(schema, "pdfaSchema:namespaceURI").text = FACTURX_NAMESPACE
    _element(schema, "pdfaSchema:prefix").text = "fx"
    properties = _element(_element(schema, "pdfaSchema:property"), "rdf:Seq")
    for name, description in FACTURX_PROPERTIES.items():
        entry = _element(properties, "rdf:li", resource)
        _element(entry, "pdfaProperty:name").text = name
        _element(entry, "pdfaProperty:valueType").text = "Text"
        _element(entry, "pdfaProperty:category").text = "external"
        _element(entry, "pdfaProperty:description").text = description
    return schema


def _element(
    parent: etree._Element, name: str, attributes: dict[str, str] | None = None
) -> etree._Element:
    prefix, local = name.split(":")
    return etree.SubElement(
        parent, f"{{{NAMESPACES[prefix]}}}{local}", attributes or {}, nsmap=NAMESPACES
    )
