"""A credit note's preview and PDF, opened with the signed links the API gives."""

from __future__ import annotations

import io

import httpx
import pypdf
import pytest

from billing.invoices.links import make_preview_token
from tests.billing.credit_notes.support import taxed_invoice
from tests.graph.conftest import GraphQLClient, Team
from tests.graph.test_credit_notes import ISSUE, LINES
from tests.support.keys import TEST_SECRET_KEY

pytestmark = pytest.mark.asyncio


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
