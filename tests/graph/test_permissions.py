"""The permission matrix: billing.view to read, billing.edit for every mutation; a refusal is a
top-level FORBIDDEN error and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from billing.runs.lifecycle import RunStatus
from orm.models import AuditEvent, EmailAttempt, Invoice, InvoiceRun
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.builders import make_invoice, make_run

QUERIES = {
    "invoices": "{ invoices { totalCount } }",
    "invoice": '{ invoice(id: "1") { id } }',
    "invoiceKpis": "{ invoiceKpis { totalInvoices } }",
    "clients": "{ clients { id } }",
    "invoiceRunPlan": "{ invoiceRunPlan { runDate } }",
    "invoiceRun": '{ invoiceRun(id: "1") { id } }',
    "invoiceRuns": "{ invoiceRuns { edges { cursor } } }",
}

MUTATIONS = {
    "runBulk": """mutation { runBulk(input: {billingDate: "2026-11-01"}) {
        run { id } errors { code } } }""",
    "voidInvoice": """mutation($invoice: ID!) { voidInvoice(input: {id: $invoice}) {
        invoice { id } errors { code } } }""",
    "sendInvoice": """mutation($invoice: ID!) { sendInvoice(input: {id: $invoice}) {
        invoice { id } errors { code } } }""",
    "deleteInvoice": """mutation($invoice: ID!) { deleteInvoice(input: {id: $invoice}) {
        deletedId errors { code } } }""",
    "finalizeInvoiceRun": """mutation($run: ID!) { finalizeInvoiceRun(input: {runId: $run}) {
        run { id } errors { code } } }""",
    "discardInvoiceRun": """mutation($run: ID!) { discardInvoiceRun(input: {runId: $run}) {
        run { id } errors { code } } }""",
}


async def snapshot() -> dict[str, Any]:
    """What a mutation could change."""
    return {
        "invoices": await Invoice.all().order_by("id").values_list("id", "status", "emailed_at"),
        "runs": await InvoiceRun.all().order_by("id").values_list("id", "status"),
        "audit": await AuditEvent.all().count(),
        "emails": await EmailAttempt.all().count(),
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_reading_without_billing_view_is_forbidden(
    graphql: GraphQLClient, acme: Team, name: str
) -> None:
    body = await graphql.execute(QUERIES[name], user=acme.stranger)
    assert error_codes(body) == ["FORBIDDEN"]
    assert "billing.view" in body["errors"][0]["message"]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_a_view_only_user_reads_everything(
    graphql: GraphQLClient, acme: Team, name: str
) -> None:
    await graphql.data(QUERIES[name], user=acme.viewer)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_every_mutation_is_forbidden_without_billing_edit_and_changes_nothing(
    graphql: GraphQLClient, acme: Team, name: str
) -> None:
    invoice = await make_invoice(acme.client)
    run = await make_run(acme.tenant, status=RunStatus.AWAITING_REVIEW, review=True)
    before = await snapshot()
    body = await graphql.execute(
        MUTATIONS[name], {"invoice": str(invoice.id), "run": str(run.id)}, user=acme.viewer
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert "billing.edit" in body["errors"][0]["message"]
    assert body["data"] is None
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_an_editor_may_mutate(graphql: GraphQLClient, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    data = await graphql.data(
        MUTATIONS["voidInvoice"], {"invoice": str(invoice.id)}, user=acme.editor
    )
    assert data["voidInvoice"] == {"invoice": {"id": str(invoice.id)}, "errors": []}
