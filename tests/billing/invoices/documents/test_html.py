"""The HTML preview: the same template as the PDF, so the same words and figures."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import pypdf

from billing.invoices.documents import renderer
from tests.billing.invoices.documents.samples import make_document
from tests.billing.invoices.documents.test_pdf import printed_figures


def visible_text(page: str) -> str:
    without_style = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without_style))


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{3,}", text))


def test_preview_shows_every_figure_of_the_pdf(eur_invoice):
    text = visible_text(renderer().html(eur_invoice))

    flat = " ".join(text.split())
    missing = [figure for figure in printed_figures(eur_invoice) if figure not in flat]
    assert missing == []


def test_preview_and_pdf_use_the_same_words(eur_credit_note):
    pdf = renderer().pdf(eur_credit_note)
    pdf_words = words(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    html_words = words(visible_text(renderer().html(eur_credit_note)))

    assert html_words == pdf_words


def test_preview_is_one_self_contained_page_without_scripts(eur_invoice):
    page = renderer().html(eur_invoice)

    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_preview_escapes_text_from_the_document():
    document = make_document([("<script>alert(1)</script> & co", Decimal(1), 100, Decimal(20))])

    page = renderer().html(document)

    assert "<script" not in page
    assert "<script>alert(1)</script> & co" in visible_text(page)
