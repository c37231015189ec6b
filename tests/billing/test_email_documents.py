"""The invoice email carries the invoice's PDF (Factur-X), rendered in the email job."""

from __future__ import annotations

import facturx
import pytest

from billing.delivery.email import email_invoice_automatically, send_invoice_now
from billing.invoices.documents.render import DocumentRenderer
from ispbox.config import Settings
from orm.models import Client, Invoice, Tenant
from tests.support.documents import (
    SELLER_NAME,
    give_identities,
    make_taxed_invoice,
    pdf_attachments,
    pdf_text,
)
from tests.support.keys import TEST_SECRET_KEY
from tests.support.smtp import MaildirSmtpServer

pytestmark = pytest.mark.asyncio

EMAIL = Settings(
    secret_key=TEST_SECRET_KEY, public_url="https://billing.example.test"
).email_settings()


async def emailing_tenant(port: int) -> tuple[Tenant, Client]:
    tenant = await Tenant.create(
        key="fibrenet",
        name="FibreNet",
        currency="EUR",
        mailbox_host="127.0.0.1",
        mailbox_port=port,
        mailbox_from_address="billing@fibrenet.test",
        auto_email=True,
    )
    client = await Client.create(tenant=tenant, key="c1", name="Ada Lovelace", email="ada@x.test")
    await give_identities(tenant, client)
    return tenant, client


async def test_the_email_carries_the_invoices_pdf_with_its_factur_x_xml(
    db: str, smtp_server: MaildirSmtpServer
) -> None:
    tenant, client = await emailing_tenant(smtp_server.port)
    invoice = await make_taxed_invoice(client)
    await Invoice.filter(id=invoice.id).update(auto_email=True)

    outcome = await email_invoice_automatically(
        tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL
    )

    assert outcome.sent
    [message] = smtp_server.messages()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Invoice-INV-2026-0117.pdf"
    pdf = attachment.get_content()
    text = pdf_text(pdf)
    assert "INV-2026-0117" in text and SELLER_NAME in text and "Total 72.65 EUR" in text
    [xml] = pdf_attachments(pdf)["factur-x.xml"]
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    _, html = (message.get_body(preferencelist=(kind,)).get_content() for kind in ("plain", "html"))
    assert "Tax 19 % on 56.56 EUR" in html and SELLER_NAME in html


async def test_sending_an_unchanged_invoice_again_renders_no_second_pdf(
    db: str, smtp_server: MaildirSmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, client = await emailing_tenant(smtp_server.port)
    invoice = await make_taxed_invoice(client)
    rendered: list[str] = []
    original = DocumentRenderer.facturx_pdf

    def counting(self: DocumentRenderer, document, locale: str = "en") -> bytes:
        rendered.append(document.number)
        return original(self, document, locale)

    monkeypatch.setattr(DocumentRenderer, "facturx_pdf", counting)

    await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL)
    await send_invoice_now(tenant_id=tenant.id, invoice_id=invoice.id, settings=EMAIL, force=True)

    first, second = smtp_server.messages()
    assert rendered == ["INV-2026-0117"]
    pdfs = [next(message.iter_attachments()).get_content() for message in (first, second)]
    assert pdfs[0] == pdfs[1]
