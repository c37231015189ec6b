"""The credit notes API: issueCreditNote, creditNote, creditNotes, Invoice.credited and
creditNotes, and the invoice's credit action."""

from __future__ import annotations

import pytest

from billing.invoices.lifecycle import DRAFT_NOT_CREDITED, InvoiceStatus
from billing.invoices.links import DocumentLink, InvalidPreviewToken, verify_preview_token
from orm.models import CreditNote, Invoice, InvoiceLine
from tests.billing.credit_notes.support import taxed_invoice
from tests.graph.conftest import GraphQLClient, Team
from tests.support.keys import TEST_SECRET_KEY

pytestmark = pytest.mark.asyncio

ISSUE = """mutation($input: IssueCreditNoteInput!) { issueCreditNote(input: $input) {
  creditNote { id number reason settlement subtotal taxTotal total issuedOn
    invoice { id balance status credited } client { id }
    lines { description amount taxRate invoiceLine { id } } previewUrl pdfUrl }
  errors { code message field }
} }"""

CREDIT_NOTES = """query($filter: CreditNoteFilter, $first: Int!, $after: String) {
  creditNotes(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { number total } }
} }"""

INVOICE = """query($id: ID!) { invoice(id: $id) {
  credited creditNotes { number total } actions { credit { allowed reason } }
} }"""

LINES = [("Fiber 100", "100.00", "20"), ("Router rental", "10.00", "7")]


async def issue(graphql: GraphQLClient, team: Team, **input: object) -> dict:
    data = await graphql.data(ISSUE, {"input": input}, user=team.editor)
    return data["issueCreditNote"]


async def credit_line(graphql: GraphQLClient, team: Team, line: InvoiceLine, amount: str) -> dict:
    """issueCreditNote for `amount` of one line of its invoice, for an outage."""
    return await issue(
        graphql,
        team,
        invoiceId=str(line.invoice_id),
        reason="Outage",
        lines=[{"invoiceLineId": str(line.id), "amount": amount}],
    )


async def test_an_editor_credits_chosen_lines_and_gets_the_credit_note(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await taxed_invoice(acme.client, LINES)
    fiber = await invoice.lines.all().order_by("position").first()

    payload = await credit_line(graphql, acme, fiber, "25.00")

    assert payload["errors"] == []
    note = payload["creditNote"]
    assert {k: note[k] for k in ("number", "settlement", "subtotal", "taxTotal", "total")} == {
        "number": "CN-000001",
        "settlement": "OFFSET",
        "subtotal": "25.00",
        "taxTotal": "5.00",
        "total": "30.00",
    }
    assert note["invoice"] == {
        "id": str(invoice.id),
        "balance": "100.70",
        "status": "PARTIAL",
        "credited": "30.00",
    }
    assert note["lines"] == [
        {
            "description": "Fiber 100",
            "amount": "25.00",
            "taxRate": "20.0000",
            "invoiceLine": {"id": str(fiber.id)},
        }
    ]
    token = note["previewUrl"].split("token=")[1]
    assert note["previewUrl"].startswith(f"http://api.test/credit-notes/{note['id']}/preview?")
    assert note["pdfUrl"].startswith(f"http://api.test/credit-notes/{note['id']}/pdf?")
    opened = verify_preview_token(
        token,
        secret=TEST_SECRET_KEY,
        max_ttl_seconds=10**6,
        kind=DocumentLink.CREDIT_NOTE_PREVIEW,
    )
    assert opened[1] == int(note["id"])
    with pytest.raises(InvalidPreviewToken):
        verify_preview_token(token, secret=TEST_SECRET_KEY, max_ttl_seconds=10**6)


async def test_a_refused_credit_note_answers_with_its_code(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await taxed_invoice(acme.client, LINES, status=InvoiceStatus.DRAFT, number=None)

    payload = await issue(graphql, acme, invoiceId=str(invoice.id), reason="Outage")

    assert payload["creditNote"] is None
    assert payload["errors"] == [
        {"code": "NOT_CREDITABLE", "message": DRAFT_NOT_CREDITED, "field": "invoiceId"}
    ]


async def test_an_amount_with_too_many_decimals_is_invalid_input(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await taxed_invoice(acme.client, LINES)
    fiber = await invoice.lines.all().first()

    payload = await credit_line(graphql, acme, fiber, "1.001")

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "lines")]
    assert await CreditNote.all().count() == 0


async def test_a_view_only_user_may_not_issue_credit_notes(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await taxed_invoice(acme.client, LINES)

    body = await graphql.execute(
        ISSUE, {"input": {"invoiceId": str(invoice.id), "reason": "x"}}, user=acme.viewer
    )

    assert body["data"] is None and body["errors"]
    assert await CreditNote.all().count() == 0


async def test_another_tenants_invoice_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    invoice = await taxed_invoice(globex.client, LINES)

    payload = await issue(graphql, acme, invoiceId=str(invoice.id), reason="Outage")

    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


async def test_credit_notes_are_listed_newest_first_with_filters_and_pages(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    first = await taxed_invoice(acme.client, LINES, number="INV-000001")
    second = await taxed_invoice(acme.client, LINES, number="INV-000002")
    for invoice in (first, second):
        await issue(graphql, acme, invoiceId=str(invoice.id), reason="Outage", settlement="CREDIT")
    await issue(
        graphql,
        globex,
        invoiceId=str((await taxed_invoice(globex.client, LINES)).id),
        reason="Outage",
    )

    page = (await graphql.data(CREDIT_NOTES, {"first": 1}, user=acme.viewer))["creditNotes"]
    rest = (
        await graphql.data(
            CREDIT_NOTES, {"first": 1, "after": page["pageInfo"]["endCursor"]}, user=acme.viewer
        )
    )["creditNotes"]
    of_first = (
        await graphql.data(
            CREDIT_NOTES, {"first": 5, "filter": {"invoiceId": str(first.id)}}, user=acme.viewer
        )
    )["creditNotes"]

    assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (2, True)
    assert [e["node"]["number"] for e in page["edges"] + rest["edges"]] == [
        "CN-000002",
        "CN-000001",
    ]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["number"] for e in of_first["edges"]] == ["CN-000001"]


async def test_one_credit_note_by_id_within_the_tenant(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    invoice = await taxed_invoice(acme.client, LINES)
    note_id = (await issue(graphql, acme, invoiceId=str(invoice.id), reason="Outage"))[
        "creditNote"
    ]["id"]
    query = "query($id: ID!) { creditNote(id: $id) { number total } }"

    mine = await graphql.data(query, {"id": note_id}, user=acme.viewer)
    theirs = await graphql.data(query, {"id": note_id}, user=globex.viewer)

    assert mine["creditNote"] == {"number": "CN-000001", "total": "130.70"}
    assert theirs["creditNote"] is None


async def test_an_invoice_shows_what_was_credited_and_may_be_credited_again_until_void(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await taxed_invoice(acme.client, LINES)
    await issue(graphql, acme, invoiceId=str(invoice.id), reason="Outage", settlement="CREDIT")

    shown = (await graphql.data(INVOICE, {"id": str(invoice.id)}, user=acme.editor))["invoice"]
    await Invoice.filter(id=invoice.id).update(status=InvoiceStatus.VOID)
    void = (await graphql.data(INVOICE, {"id": str(invoice.id)}, user=acme.editor))["invoice"]
    as_viewer = (await graphql.data(INVOICE, {"id": str(invoice.id)}, user=acme.viewer))["invoice"]

    assert shown["credited"] == "130.70"
    assert shown["creditNotes"] == [{"number": "CN-000001", "total": "130.70"}]
    assert shown["actions"]["credit"] == {"allowed": True, "reason": None}
    assert void["actions"]["credit"] == {
        "allowed": False,
        "reason": "A void invoice cannot be credited.",
    }
    assert as_viewer["actions"]["credit"]["allowed"] is False


async def test_each_line_says_what_is_left_to_credit_on_it(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await taxed_invoice(acme.client, LINES)
    fiber = await invoice.lines.all().order_by("position").first()
    await credit_line(graphql, acme, fiber, "25.00")
    await credit_line(graphql, acme, fiber, "30.00")

    data = await graphql.data(
        """query($id: ID!) { invoice(id: $id) { lines { description amount creditable } } }""",
        {"id": str(invoice.id)},
        user=acme.viewer,
    )

    assert data["invoice"]["lines"] == [
        {"description": "Fiber 100", "amount": "100.00", "creditable": "45.00"},
        {"description": "Router rental", "amount": "10.00", "creditable": "10.00"},
    ]
    too_much = await credit_line(graphql, acme, fiber, "45.01")
    assert [error["code"] for error in too_much["errors"]] == ["CREDIT_EXCEEDS_INVOICE"]
