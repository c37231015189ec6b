"""An invoice's PDF and e-invoice XML over signed links: the figures, schema-valid XML, the
preview's refusals, and a rendered PDF kept by content."""

from __future__ import annotations

from urllib.parse import urlsplit

import facturx
import httpx
import pytest
from lxml import etree

from billing.invoices.documents.cii import NAMESPACES as CII
from billing.invoices.documents.render import DocumentRenderer
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.links import DocumentLink, make_preview_token
from orm.models import DocumentFile, Invoice
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_invoice
from tests.support.documents import (
    BUYER_TAX_ID,
    PAYMENT_INSTRUCTIONS,
    SELLER_NAME,
    SELLER_TAX_ID,
    give_identities,
    make_taxed_invoice,
    pdf_attachments,
    pdf_text,
)
from tests.support.keys import TEST_SECRET_KEY

pytestmark = pytest.mark.asyncio

LINKS = """
query($id: ID!) {
  invoice(id: $id) { pdfUrl cii: eInvoiceUrl(syntax: CII) ubl: eInvoiceUrl(syntax: UBL) }
}
"""


async def links_of(graphql: GraphQLClient, team: Team, invoice: Invoice) -> dict[str, str]:
    data = await graphql.data(LINKS, {"id": str(invoice.id)}, user=team.viewer)
    return {name: path_of(url) for name, url in data["invoice"].items()}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_for(team: Team, invoice_id: int, kind: DocumentLink, ttl: int = 600) -> str:
    return make_preview_token(
        tenant_id=team.tenant.id,
        invoice_id=invoice_id,
        secret=TEST_SECRET_KEY,
        ttl_seconds=ttl,
        kind=kind,
    )


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The numbers of the documents rendered as PDF while the test runs."""
    rendered: list[str] = []
    original = DocumentRenderer.facturx_pdf

    def counting(self: DocumentRenderer, document, locale: str = "en") -> bytes:
        rendered.append(document.number)
        return original(self, document, locale)

    monkeypatch.setattr(DocumentRenderer, "facturx_pdf", counting)
    return rendered


async def test_the_pdf_shows_seller_buyer_lines_taxes_and_totals(
    api: httpx.AsyncClient, graphql: GraphQLClient, acme: Team
) -> None:
    await give_identities(acme.tenant, acme.client)
    invoice = await make_taxed_invoice(acme.client)

    response = await api.get((await links_of(graphql, acme, invoice))["pdfUrl"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="Invoice-INV-2026-0117.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    for figure in [
        "INV-2026-0117",
        SELLER_NAME,
        f"Tax ID: {SELLER_TAX_ID}",
        "Acme Client",
        f"Tax ID: {BUYER_TAX_ID}",
        "Account: acme-client",
        "Hafenstraße 5",
        "Odos Ermou 12",
        "Fibre 500",
        "Service period: Nov 1, 2026 – Nov 30, 2026",
        "Subtotal 61.55 EUR",
        # 49.90 + 6.66 at 19 %: 10.7464 → 10.75; 4.99 at 7 %: 0.3493 → 0.35.
        "Tax 19 % on 56.56 EUR 10.75 EUR",
        "Tax 7 % on 4.99 EUR 0.35 EUR",
        "Total 72.65 EUR",
        "Balance due 72.65 EUR",
        "Due date: Dec 15, 2026",
        PAYMENT_INSTRUCTIONS,
    ]:
        assert figure in text
    # The grace date is internal.
    assert "Dec 22, 2026" not in text


async def test_the_pdf_embeds_its_factur_x_xml_valid_against_the_xsd(
    api: httpx.AsyncClient, graphql: GraphQLClient, acme: Team
) -> None:
    await give_identities(acme.tenant, acme.client)
    invoice = await make_taxed_invoice(acme.client)

    pdf = (await api.get((await links_of(graphql, acme, invoice))["pdfUrl"])).content

    [xml] = pdf_attachments(pdf)["factur-x.xml"]
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = etree.fromstring(xml)
    assert root.findtext(".//ram:GrandTotalAmount", namespaces=CII) == "72.65"
    countries = root.findall(".//ram:PostalTradeAddress/ram:CountryID", namespaces=CII)
    assert [country.text for country in countries] == ["DE", "GR"]


@pytest.mark.parametrize(("syntax", "flavor"), [("cii", "factur-x"), ("ubl", "ubl-2.1-invoice")])
async def test_the_einvoice_xml_is_valid_against_its_schema(
    api: httpx.AsyncClient, graphql: GraphQLClient, acme: Team, syntax: str, flavor: str
) -> None:
    await give_identities(acme.tenant, acme.client)
    invoice = await make_taxed_invoice(acme.client)

    response = await api.get((await links_of(graphql, acme, invoice))[syntax])

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    level = {"level": "en16931"} if syntax == "cii" else {}
    assert facturx.xml_check_xsd(response.content, flavor=flavor, **level)
    assert b"INV-2026-0117" in response.content and b"72.65" in response.content


async def test_an_invoice_issued_before_taxes_prints_its_lines_outside_the_scope_of_tax(
    api: httpx.AsyncClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client, "INV-0314", total="31.40")
    token = token_for(acme, invoice.id, DocumentLink.CII)

    response = await api.get(f"/invoices/{invoice.id}/einvoice.xml?syntax=CII&token={token}")

    assert facturx.xml_check_xsd(response.content, flavor="factur-x", level="en16931")
    root = etree.fromstring(response.content)
    assert root.findtext(".//ram:ApplicableTradeTax/ram:CategoryCode", namespaces=CII) == "O"
    assert root.findtext(".//ram:TaxBasisTotalAmount", namespaces=CII) == "31.40"
    assert root.findtext(".//ram:GrandTotalAmount", namespaces=CII) == "31.40"


async def test_an_unchanged_invoice_is_served_from_the_kept_file_and_a_paid_one_anew(
    api: httpx.AsyncClient, graphql: GraphQLClient, acme: Team, renders: list[str]
) -> None:
    await give_identities(acme.tenant, acme.client)
    invoice = await make_taxed_invoice(acme.client)
    url = (await links_of(graphql, acme, invoice))["pdfUrl"]

    first = (await api.get(url)).content
    second = (await api.get(url)).content

    assert renders == ["INV-2026-0117"]
    assert second == first
    await Invoice.filter(id=invoice.id).update(status=InvoiceStatus.PAID, balance_cents=0)
    paid = (await api.get(url)).content

    assert len(renders) == 2
    assert "Paid 72.65 EUR" in pdf_text(paid) and "Balance due 0.00 EUR" in pdf_text(paid)
    assert await DocumentFile.all().count() == 2


@pytest.mark.parametrize(
    ("path", "made_for"),
    [
        ("pdf", DocumentLink.PREVIEW),
        ("pdf", DocumentLink.CII),
        ("einvoice.xml?syntax=CII", DocumentLink.PDF),
        ("einvoice.xml?syntax=CII", DocumentLink.UBL),
        ("preview", DocumentLink.PDF),
    ],
)
async def test_a_link_made_for_another_document_is_forbidden(
    api: httpx.AsyncClient, acme: Team, path: str, made_for: DocumentLink
) -> None:
    invoice = await make_invoice(acme.client, "INV-0314")
    separator = "&" if "?" in path else "?"
    token = token_for(acme, invoice.id, made_for)

    response = await api.get(f"/invoices/{invoice.id}/{path}{separator}token={token}")

    assert response.status_code == 403
    assert "another document" in response.text


@pytest.mark.parametrize("path", ["pdf", "einvoice.xml?syntax=UBL"])
async def test_expired_tampered_and_misdirected_links_are_forbidden(
    api: httpx.AsyncClient, acme: Team, path: str
) -> None:
    invoice = await make_invoice(acme.client, "INV-0314")
    other = await make_invoice(acme.client, "INV-0315")
    kind = DocumentLink.PDF if path == "pdf" else DocumentLink.UBL
    separator = "&" if "?" in path else "?"
    valid = token_for(acme, invoice.id, kind)
    refused = {
        "expired": (invoice.id, token_for(acme, invoice.id, kind, ttl=-1)),
        "tampered": (invoice.id, valid[:-2] + ("AA" if valid[-2:] != "AA" else "BB")),
        "for another invoice": (other.id, valid),
        "beyond the time to live": (invoice.id, token_for(acme, invoice.id, kind, ttl=10**8)),
    }

    for invoice_id, token in refused.values():
        response = await api.get(f"/invoices/{invoice_id}/{path}{separator}token={token}")
        assert response.status_code == 403


@pytest.mark.parametrize("path", ["pdf", "einvoice.xml?syntax=CII"])
async def test_unknown_foreign_and_draft_invoices_are_not_found(
    api: httpx.AsyncClient, acme: Team, globex: Team, path: str, renders: list[str]
) -> None:
    theirs = await make_invoice(globex.client, "G-1")
    draft = await make_invoice(acme.client, None, status=InvoiceStatus.DRAFT)
    deleted = await make_invoice(acme.client, "INV-0316")
    await deleted.delete()
    kind = DocumentLink.PDF if path == "pdf" else DocumentLink.CII
    separator = "&" if "?" in path else "?"

    for invoice_id in (theirs.id, draft.id, deleted.id):
        token = token_for(acme, invoice_id, kind)
        response = await api.get(f"/invoices/{invoice_id}/{path}{separator}token={token}")
        assert response.status_code == 404
        assert "G-1" not in response.text
    assert renders == []


async def test_an_unknown_syntax_is_a_bad_request(api: httpx.AsyncClient, acme: Team) -> None:
    invoice = await make_invoice(acme.client, "INV-0314")
    token = token_for(acme, invoice.id, DocumentLink.CII)

    response = await api.get(f"/invoices/{invoice.id}/einvoice.xml?syntax=PDF&token={token}")

    assert response.status_code == 400


async def test_links_point_where_the_request_came(graphql: GraphQLClient, acme: Team) -> None:
    invoice = await make_invoice(acme.client, "INV-0314")

    data = await graphql.data(LINKS, {"id": str(invoice.id)}, user=acme.viewer)

    assert data["invoice"]["pdfUrl"].startswith(f"http://api.test/invoices/{invoice.id}/pdf?token=")
    assert data["invoice"]["ubl"].startswith(
        f"http://api.test/invoices/{invoice.id}/einvoice.xml?syntax=UBL&token="
    )
