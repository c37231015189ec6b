"""A credit note's preview and PDF, opened with the signed links the API gives: the invoice's link
rules and the invoice's kept files."""

from __future__ import annotations

import io

import httpx
import pypdf
import pytest

from billing.invoices.links import DocumentLink, make_preview_token
from orm.models import DocumentFile
from tests.billing.credit_notes.support import taxed_invoice
from tests.graph.conftest import GraphQLClient, Team
from tests.graph.test_credit_notes import ISSUE, LINES
from tests.graph.test_documents import renders, token_for
from tests.support.keys import TEST_SECRET_KEY

pytestmark = pytest.mark.asyncio

__all__ = ["renders"]


async def issued_note(graphql: GraphQLClient, team: Team) -> dict:
    team.tenant.legal_name = "Acme Fiber GmbH"
    team.tenant.tax_id = "DE136695976"
    await team.tenant.save()
    invoice = await taxed_invoice(team.client, LINES, number="INV-000042")
    data = await graphql.data(
        ISSUE,
        {"input": {"invoiceId": str(invoice.id), "reason": "Outage in November"}},
        user=team.editor,
    )
    return data["issueCreditNote"]["creditNote"]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_the_pdf_link_opens_the_credit_note_with_its_figures_and_xml(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team
) -> None:
    note = await issued_note(graphql, acme)

    response = await api.get(note["pdfUrl"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    for printed in ("CN-000001", "INV-000042", "Outage in November", "130.70", "20.70"):
        assert printed in text
    assert list(pypdf.PdfReader(io.BytesIO(response.content)).attachments) == ["factur-x.xml"]


async def test_the_preview_link_shows_the_credit_note_as_html(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team
) -> None:
    note = await issued_note(graphql, acme)

    response = await api.get(note["previewUrl"])

    assert response.status_code == 200
    assert "CN-000001" in response.text and "130.70" in response.text
    assert response.headers["cache-control"] == "private, no-store"


async def test_an_invoice_preview_token_does_not_open_a_credit_note(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team
) -> None:
    note = await issued_note(graphql, acme)
    token = make_preview_token(
        tenant_id=acme.tenant.id,
        invoice_id=int(note["id"]),
        secret=TEST_SECRET_KEY,
        ttl_seconds=600,
    )

    response = await api.get(f"/credit-notes/{note['id']}/pdf?token={token}")

    assert response.status_code == 403


async def test_the_pdf_is_kept_and_an_unchanged_credit_note_is_not_rendered_again(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team, renders: list[str]
) -> None:
    note = await issued_note(graphql, acme)

    first = await api.get(note["pdfUrl"])
    second = await api.get(note["pdfUrl"])

    assert renders == ["CN-000001"]
    assert second.content == first.content
    assert await DocumentFile.all().count() == 1
    assert 'filename="CreditNote-CN-000001.pdf"' in first.headers["content-disposition"]
    assert first.headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize(
    ("made_for", "page"),
    [
        (DocumentLink.CREDIT_NOTE_PREVIEW, "credit-notes/{note}/pdf"),
        (DocumentLink.CREDIT_NOTE_PDF, "credit-notes/{note}/preview"),
        (DocumentLink.CREDIT_NOTE_PREVIEW, "invoices/{invoice}/preview"),
        (DocumentLink.CREDIT_NOTE_PDF, "invoices/{invoice}/pdf"),
        (DocumentLink.CREDIT_NOTE_PDF, "invoices/{invoice}/einvoice.xml?syntax=CII"),
    ],
)
async def test_a_credit_note_link_opens_only_the_page_it_was_made_for(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team, made_for: DocumentLink, page: str
) -> None:
    note = await issued_note(graphql, acme)
    path = page.format(note=note["id"], invoice=note["invoice"]["id"])
    token = token_for(acme, int(path.split("/")[1]), made_for)
    separator = "&" if "?" in path else "?"

    response = await api.get(f"/{path}{separator}token={token}")

    assert response.status_code == 403
    assert "another document" in response.text


async def test_expired_misdirected_and_too_long_links_are_forbidden(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team
) -> None:
    note = await issued_note(graphql, acme)
    note_id = int(note["id"])
    kind = DocumentLink.CREDIT_NOTE_PDF
    refused = {
        "expired": (note_id, token_for(acme, note_id, kind, ttl=-1)),
        "for another credit note": (note_id + 1, token_for(acme, note_id, kind)),
        "beyond the time to live": (note_id, token_for(acme, note_id, kind, ttl=10**8)),
    }

    for path_id, token in refused.values():
        response = await api.get(f"/credit-notes/{path_id}/pdf?token={token}")
        assert response.status_code == 403


async def test_unknown_and_foreign_credit_notes_are_not_found(
    graphql: GraphQLClient, api: httpx.AsyncClient, acme: Team, globex: Team, renders: list[str]
) -> None:
    note = await issued_note(graphql, acme)
    theirs = token_for(globex, int(note["id"]), DocumentLink.CREDIT_NOTE_PDF)
    unknown = token_for(acme, int(note["id"]) + 100, DocumentLink.CREDIT_NOTE_PDF)

    foreign = await api.get(f"/credit-notes/{note['id']}/pdf?token={theirs}")
    missing = await api.get(f"/credit-notes/{int(note['id']) + 100}/pdf?token={unknown}")
    too_long = await api.get(f"/credit-notes/{'9' * 30}/pdf?token={unknown}")

    assert [foreign.status_code, missing.status_code, too_long.status_code] == [404, 404, 404]
    assert foreign.text == "No such credit note."
    assert renders == []
