"""deleteInvoice: gone for good in development; refused elsewhere."""

from __future__ import annotations

import pytest

from billing.audit.actions import AuditAction
from orm.models import AuditEvent, Invoice, InvoiceLine
from tests.graph.conftest import GraphQLClient, Team, api_client, make_settings
from tests.support.builders import add_line, make_invoice

DELETE = """mutation($id: ID!) { deleteInvoice(input: {id: $id}) {
  deletedId errors { code message field }
} }"""


@pytest.mark.asyncio
async def test_in_development_the_invoice_and_its_lines_are_removed(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client)
    await add_line(invoice)
    data = await graphql.data(DELETE, {"id": str(invoice.id)}, user=acme.editor)
    assert data["deleteInvoice"] == {"deletedId": str(invoice.id), "errors": []}
    assert not await Invoice.filter(id=invoice.id).exists()
    assert not await InvoiceLine.filter(invoice_id=invoice.id).exists()
    assert await AuditEvent.filter(action=AuditAction.DELETE, invoice_id=invoice.id).exists()


@pytest.mark.asyncio
async def test_outside_development_delete_is_refused(db: str, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    async with api_client(make_settings(db, env="production")) as api:
        data = await GraphQLClient(api).data(DELETE, {"id": str(invoice.id)}, user=acme.editor)
    assert data["deleteInvoice"]["deletedId"] is None
    assert [e["code"] for e in data["deleteInvoice"]["errors"]] == ["DEV_ONLY"]
    assert await Invoice.filter(id=invoice.id).exists()


@pytest.mark.asyncio
@pytest.mark.parametrize("which", ["foreign", "malformed"])
async def test_an_invoice_not_of_the_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, which: str
) -> None:
    foreign = await make_invoice(globex.client)
    invoice_id = str(foreign.id) if which == "foreign" else "0"
    data = await graphql.data(DELETE, {"id": invoice_id}, user=acme.editor)
    assert [e["code"] for e in data["deleteInvoice"]["errors"]] == ["NOT_FOUND"]
    assert await Invoice.filter(id=foreign.id).exists()
