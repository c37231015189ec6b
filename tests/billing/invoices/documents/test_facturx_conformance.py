"""The Factur-X PDF as a receiving system and a PDF/A-3 validator read it.

The XML is found where Factur-X readers look for it and names its profile; the file specification
carries what PDF/A-3 asks of an associated file; the XMP declares PDF/A-3b and the Factur-X fields
with their extension schema; the Info dictionary agrees with the XMP; the Factur-X fields are an
incremental update that leaves typst's revision intact.
"""

from __future__ import annotations

import io
import logging

import facturx
import pypdf
import pytest
from lxml import etree

from billing.invoices.documents import cii_xml, renderer
from billing.invoices.documents.render import facturx_schema
from billing.invoices.documents.xmp import (
    FACTURX_NAMESPACE,
    FacturX,
    UnexpectedPdfLayout,
    with_facturx_xmp,
)

XMP_NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "fx": FACTURX_NAMESPACE,
}


@pytest.fixture
def facturx_pdf(eur_invoice) -> bytes:
    return renderer().facturx_pdf(eur_invoice)


def xmp_of(pdf: bytes) -> etree._Element:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())


def xmp_text(xmp: etree._Element, path: str) -> list[str]:
    return [element.text for element in xmp.xpath(path, namespaces=XMP_NAMESPACES)]


def test_factur_x_readers_find_the_xml_valid_and_at_the_en16931_profile(eur_invoice, facturx_pdf):
    filename, xml = facturx.get_facturx_xml_from_pdf(facturx_pdf, check_xsd=True)

    assert (filename, xml) == ("factur-x.xml", cii_xml(eur_invoice))
    assert facturx_schema().validate(etree.fromstring(xml))
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"


def test_the_xml_is_an_associated_file_of_the_document_as_pdf_a_3_requires(facturx_pdf):
    catalog = pypdf.PdfReader(io.BytesIO(facturx_pdf)).trailer["/Root"]
    names = catalog["/Names"]["/EmbeddedFiles"]["/Names"]

    assert names[0] == "factur-x.xml"
    filespec = names[1].get_object()
    assert [reference.get_object() for reference in catalog["/AF"]] == [filespec]
    assert filespec["/Type"] == "/Filespec"
    assert filespec["/F"] == filespec["/UF"] == "factur-x.xml"
    assert filespec["/AFRelationship"] == "/Alternative"
    assert filespec["/Desc"]
    stream = filespec["/EF"]["/F"].get_object()
    assert stream["/Type"] == "/EmbeddedFile"
    assert stream["/Subtype"] == "/text/xml"
    assert stream["/Params"]["/ModDate"].startswith("D:")
    assert stream["/Params"]["/Size"] == len(stream.get_data())


def test_xmp_declares_pdf_a_3b_and_the_factur_x_fields(facturx_pdf):
    xmp = xmp_of(facturx_pdf)

    assert xmp_text(xmp, "//pdfaid:part") == ["3"]
    assert xmp_text(xmp, "//pdfaid:conformance") == ["B"]
    assert xmp_text(xmp, "//fx:DocumentType") == ["INVOICE"]
    assert xmp_text(xmp, "//fx:DocumentFileName") == ["factur-x.xml"]
    assert xmp_text(xmp, "//fx:Version") == ["1.0"]
    assert xmp_text(xmp, "//fx:ConformanceLevel") == ["EN 16931"]


def test_xmp_describes_every_factur_x_field_in_a_pdf_a_extension_schema(facturx_pdf):
    xmp = xmp_of(facturx_pdf)
    schemas = xmp.xpath(
        "//pdfaExtension:schemas/rdf:Bag/rdf:li[pdfaSchema:namespaceURI=$uri]",
        namespaces=XMP_NAMESPACES,
        uri=FACTURX_NAMESPACE,
    )

    assert len(schemas) == 1
    assert xmp_text(schemas[0], "pdfaSchema:prefix") == ["fx"]
    properties = schemas[0].xpath("pdfaSchema:property/rdf:Seq/rdf:li", namespaces=XMP_NAMESPACES)
    described = {xmp_text(entry, "pdfaProperty:name")[0] for entry in properties}
    used = {element.tag.split("}")[1] for element in xmp.iter(f"{{{FACTURX_NAMESPACE}}}*")}
    assert described == used == {"DocumentType", "DocumentFileName", "Version", "ConformanceLevel"}
    for entry in properties:
        assert xmp_text(entry, "pdfaProperty:valueType") == ["Text"]
        assert xmp_text(entry, "pdfaProperty:category") == ["external"]
        assert xmp_text(entry, "pdfaProperty:description")[0]


def test_info_dictionary_and_xmp_say_the_same(eur_invoice, facturx_pdf):
    info = pypdf.PdfReader(io.BytesIO(facturx_pdf)).metadata
    xmp = xmp_of(facturx_pdf)

    assert xmp_text(xmp, "//dc:title/rdf:Alt/rdf:li") == [info["/Title"]]
    assert xmp_text(xmp, "//dc:creator/rdf:Seq/rdf:li") == [info["/Author"]]
    assert xmp_text(xmp, "//dc:description/rdf:Alt/rdf:li") == [info["/Subject"]]
    assert xmp_text(xmp, "//pdf:Keywords") == [info["/Keywords"]]
    assert info["/Author"] == eur_invoice.seller.legal_name
    assert eur_invoice.number in info["/Subject"] and "Factur-X" in info["/Keywords"]


def test_factur_x_fields_are_an_incremental_update_of_typsts_pdf(eur_invoice):
    pdf = renderer().pdf(eur_invoice)

    updated = with_facturx_xmp(pdf, FacturX())

    assert updated.startswith(pdf)
    assert xmp_text(xmp_of(pdf), "//fx:ConformanceLevel") == []
    assert xmp_text(xmp_of(updated), "//fx:ConformanceLevel") == ["EN 16931"]
    original, revised = (pypdf.PdfReader(io.BytesIO(data)).trailer for data in (pdf, updated))
    assert revised["/Prev"] == int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert revised["/ID"] == original["/ID"] and revised["/Size"] == original["/Size"]


def test_a_strict_reader_reads_the_updated_pdf_without_repairs(facturx_pdf, caplog):
    with caplog.at_level(logging.WARNING, logger="pypdf"):
        reader = pypdf.PdfReader(io.BytesIO(facturx_pdf), strict=True)
        assert reader.xmp_metadata is not None
        assert list(reader.attachments) == ["factur-x.xml"]
        assert "INV-" in reader.pages[0].extract_text()

    assert [record.getMessage() for record in caplog.records] == []


def test_the_same_document_gives_the_same_bytes(eur_invoice):
    assert renderer().facturx_pdf(eur_invoice) == renderer().facturx_pdf(eur_invoice)


def test_a_pdf_not_laid_out_as_typst_writes_it_is_refused_not_patched(eur_invoice):
    pdf = renderer().pdf(eur_invoice)
    # The same bytes, offsets unchanged, but the XMP stream now says it is compressed.
    filtered_xmp = pdf.replace(b"/Type/Metadata/Subtype/XML", b"/Type/Metadata/Filter/LZW ")
    assert len(filtered_xmp) == len(pdf) and filtered_xmp != pdf

    with pytest.raises(UnexpectedPdfLayout, match="plain stream"):
        with_facturx_xmp(filtered_xmp, FacturX())
    with pytest.raises(UnexpectedPdfLayout, match="trailer"):
        with_facturx_xmp(b"%PDF-1.7\nnot a PDF", FacturX())
