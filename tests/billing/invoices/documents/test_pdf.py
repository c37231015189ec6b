"""The PDF a customer receives: the figures in its text, its Factur-X XML, its own fonts."""

from __future__ import annotations

import io
from decimal import Decimal

import facturx
import pypdf
import pytest

from billing.invoices.documents import InvoiceDocument, cii_xml, renderer
from billing.invoices.documents.render import UnprintableText, check_facturx_xsd
from billing.invoices.documents.view import document_view
from tests.billing.invoices.documents.samples import make_document


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def printed_figures(document: InvoiceDocument) -> list[str]:
    """What the customer must find on the document: identity, every line, every total."""
    view = document_view(document, "en")
    figures = [
        document.number,
        document.seller.legal_name,
        document.seller.tax_id,
        document.buyer.name,
        document.buyer.tax_id,
        document.buyer.account_key,
        view["subtotal"],
        view["tax_total"],
        view["total"],
        view["balance_due"],
    ]
    for line in view["lines"]:
        figures += [line["description"], line["amount"], line["period"]]
    for row in view["taxes"]:
        figures += [f"Tax {row['label']} on {row['taxable']} {row['tax']}"]
    return figures


def test_invoice_pdf_shows_identity_lines_totals_and_tax_rows(eur_invoice):
    text = pdf_text(renderer().facturx_pdf(eur_invoice))

    missing = [figure for figure in printed_figures(eur_invoice) if figure not in text]
    assert missing == []
    assert "Invoice" in text
    assert "Due date: Dec 15, 2026" in text
    assert eur_invoice.seller.payment_instructions in text


def test_tax_rows_print_the_engines_per_rate_figures(eur_invoice):
    text = pdf_text(renderer().pdf(eur_invoice))

    # 49.90 + 6.66 at 19 %: 10.7464 → 10.75; 4.99 at 7 %: 0.3493 → 0.35.
    assert "Tax 19 % on 56.56 EUR 10.75 EUR" in text
    assert "Tax 7 % on 4.99 EUR 0.35 EUR" in text
    assert "Total 74.15 EUR" in text


def test_pdf_carries_its_cii_xml_as_factur_x(eur_invoice):
    pdf = renderer().facturx_pdf(eur_invoice)

    attachments = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    assert list(attachments) == ["factur-x.xml"]
    assert attachments["factur-x.xml"] == [cii_xml(eur_invoice)]
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert (filename, xml) == ("factur-x.xml", cii_xml(eur_invoice))


def test_pdf_declares_pdf_a_3b_and_factur_x_en16931(eur_invoice):
    pdf = renderer().facturx_pdf(eur_invoice)

    metadata = pypdf.PdfReader(io.BytesIO(pdf)).xmp_metadata
    xmp = metadata.stream.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "EN 16931" in xmp


def test_credit_note_pdf_shows_its_number_the_invoice_and_the_credited_figures(eur_credit_note):
    pdf = renderer().facturx_pdf(eur_credit_note)
    text = pdf_text(pdf)

    missing = [figure for figure in printed_figures(eur_credit_note) if figure not in text]
    assert missing == []
    assert "Credit note" in text
    assert f"Credits invoice: {eur_credit_note.invoice_number}" in text
    assert eur_credit_note.reason in text
    assert "Due date" not in text
    assert list(pypdf.PdfReader(io.BytesIO(pdf)).attachments) == ["factur-x.xml"]


def test_jpy_invoice_prints_whole_yen(jpy_invoice):
    text = pdf_text(renderer().facturx_pdf(jpy_invoice))

    # 5,480 yen at 10 %: 548 yen of tax, no decimals anywhere.
    assert "Tax 10 % on 5,480 JPY 548 JPY" in text
    assert "Total 6,028 JPY" in text
    assert "JPY" in text and ".00 JPY" not in text


def test_greek_cyrillic_and_euro_sign_render_with_the_shipped_fonts():
    document = make_document([("Ωmega – Связь € 5", Decimal(1), 1000, Decimal(24))])
    pdf = renderer().pdf(document)

    assert "Ωmega – Связь € 5" in pdf_text(pdf)
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}


def test_a_cii_xml_that_breaks_the_xsd_is_refused_before_it_is_embedded(eur_invoice):
    broken = (
        cii_xml(eur_invoice)
        .replace(b"<ram:TypeCode>380", b"<ram:Kind>380")
        .replace(b"</ram:TypeCode>", b"</ram:Kind>", 1)
    )

    with pytest.raises(ValueError, match="XSD"):
        check_facturx_xsd(broken)


def test_many_lines_flow_onto_more_pages():
    document = make_document([(f"Line {n}", Decimal(1), 100 + n, Decimal(20)) for n in range(80)])

    pdf = renderer().facturx_pdf(document)

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    assert "Line 79" in pdf_text(pdf)


def test_text_the_shipped_fonts_cannot_draw_is_a_clear_error():
    document = make_document([("光ファイバー", Decimal(1), 5480, Decimal(10))])

    with pytest.raises(UnprintableText, match="光"):
        renderer().pdf(document)


def test_factur_x_pdf_is_one_clean_file_not_two_run_together(eur_invoice):
    pdf = renderer().facturx_pdf(eur_invoice)

    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"%PDF-") == 1
    assert pdf.rstrip().endswith(b"%%EOF")


def test_credit_note_asks_for_no_payment(eur_credit_note):
    text = pdf_text(renderer().pdf(eur_credit_note))

    assert "Payment instructions" not in text
    assert eur_credit_note.seller.payment_instructions not in text
