"""The bank statements API: importBankStatement, bankStatement(s), matchBankEntry,
ignoreBankEntry, their refusals and permissions."""

from __future__ import annotations

from datetime import date

import pytest

from billing.bank_statements.samples import (
    SampleEntry,
    camt053_document,
    malformed_mt940,
    mt940_text,
    reconciliation_day,
)
from billing.invoices.lifecycle import InvoiceStatus
from orm.models import BankStatement, Invoice, Payment
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.support.builders import make_client, make_invoice

pytestmark = pytest.mark.asyncio

IMPORT = """mutation($input: ImportBankStatementInput!) { importBankStatement(input: $input) {
  statement { id format account matched unmatched duplicates ignored
    entries { id bookedOn amount currency counterparty remittance bankReference status
      suggestedInvoices { id number balance } } }
  errors { code message field }
} }"""

STATEMENTS = """query($first: Int!, $after: String) { bankStatements(first: $first, after: $after) {
  pageInfo { hasNextPage endCursor } edges { cursor node { id matched } }
} }"""

STATEMENT = """query($id: ID!) { bankStatement(id: $id) {
  id matched unmatched ignored entries { id status suggestedInvoices { number } }
} }"""

MATCH = """mutation($input: MatchBankEntryInput!) { matchBankEntry(input: $input) {
  entry { id status } errors { code message field }
} }"""

IGNORE = """mutation($input: BankEntryInput!) { ignoreBankEntry(input: $input) {
  entry { id status } errors { code message field }
} }"""

DAY = date(2026, 11, 30)


async def euro_team(team: Team) -> Invoice:
    """The team's tenant in euros, its client owing INV-000012 (49.90)."""
    team.tenant.currency = "EUR"
    await team.tenant.save()
    return await make_invoice(
        team.client, "INV-000012", total="49.90", currency="EUR", due_on=date(2026, 11, 15)
    )


def day_file() -> str:
    day = reconciliation_day("INV-000012")
    kinds = ("matched", "unmatched", "duplicate", "outgoing", "other_currency")
    return camt053_document([day[kind] for kind in kinds])


async def import_file(
    graphql: GraphQLClient, team: Team, content: str, statement_format: str = "CAMT053"
) -> dict:
    data = await graphql.data(
        IMPORT, {"input": {"format": statement_format, "content": content}}, user=team.editor
    )
    return data["importBankStatement"]


async def test_an_editor_imports_a_statement_and_sees_each_entry(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await euro_team(acme)

    payload = await import_file(graphql, acme, day_file())

    assert payload["errors"] == []
    statement = payload["statement"]
    assert (statement["matched"], statement["unmatched"]) == (1, 2)
    assert (statement["duplicates"], statement["ignored"]) == (1, 1)
    assert statement["format"] == "CAMT053"
    assert statement["account"] == "DE89370400440532013000"
    first = statement["entries"][0]
    assert first["status"] == "MATCHED" and first["amount"] == "49.90"
    assert first["bankReference"] == "BANK-0001" and first["bookedOn"] == "2026-11-30"
    assert [entry["status"] for entry in statement["entries"]] == [
        "MATCHED",
        "UNMATCHED",
        "DUPLICATE",
        "IGNORED",
        "UNMATCHED",
    ]
    assert (await Invoice.get(id=invoice.id)).status is InvoiceStatus.PAID


async def test_an_unreadable_file_comes_back_as_an_error_saying_where(
    graphql: GraphQLClient, acme: Team
) -> None:
    await euro_team(acme)

    payload = await import_file(graphql, acme, malformed_mt940()["truncated"], "MT940")

    assert payload["statement"] is None
    (error,) = payload["errors"]
    assert error["code"] == "STATEMENT_UNREADABLE" and error["field"] == "content"
    assert "line 6" in error["message"]
    assert await BankStatement.all().count() == 0


async def test_suggestions_name_open_invoices_of_the_same_amount(
    graphql: GraphQLClient, acme: Team
) -> None:
    await euro_team(acme)
    other = await make_client(acme.tenant, "acme-lopez", name="Ana Lopez")
    fitting = await make_invoice(other, "INV-000013", total="25.00", currency="EUR")

    payload = await import_file(graphql, acme, day_file())

    unmatched = payload["statement"]["entries"][1]
    assert unmatched["suggestedInvoices"] == [
        {"id": str(fitting.id), "number": "INV-000013", "balance": "25.00"}
    ]
    assert payload["statement"]["entries"][4]["suggestedInvoices"] == []


async def test_matching_an_entry_records_the_payment(graphql: GraphQLClient, acme: Team) -> None:
    await euro_team(acme)
    other = await make_client(acme.tenant, "acme-lopez", name="Ana Lopez")
    fitting = await make_invoice(other, "INV-000013", total="25.00", currency="EUR")
    statement = (await import_file(graphql, acme, day_file()))["statement"]
    entry_id = statement["entries"][1]["id"]

    data = await graphql.data(
        MATCH,
        {
            "input": {
                "entryId": entry_id,
                "clientId": str(other.id),
                "invoiceIds": [str(fitting.id)],
            }
        },
        user=acme.editor,
    )

    assert data["matchBankEntry"] == {"entry": {"id": entry_id, "status": "MATCHED"}, "errors": []}
    assert (await Invoice.get(id=fitting.id)).status is InvoiceStatus.PAID
    read = await graphql.data(STATEMENT, {"id": statement["id"]}, user=acme.viewer)
    assert (read["bankStatement"]["matched"], read["bankStatement"]["unmatched"]) == (2, 1)


async def test_matching_refusals_come_back_as_errors(graphql: GraphQLClient, acme: Team) -> None:
    await euro_team(acme)
    entries = (await import_file(graphql, acme, day_file()))["statement"]["entries"]

    async def match(entry: dict) -> dict:
        data = await graphql.data(
            MATCH,
            {"input": {"entryId": entry["id"], "clientId": str(acme.client.id)}},
            user=acme.editor,
        )
        return data["matchBankEntry"]

    resolved, other_currency = await match(entries[0]), await match(entries[4])
    assert [e["code"] for e in resolved["errors"]] == ["BANK_ENTRY_RESOLVED"]
    assert [e["code"] for e in other_currency["errors"]] == ["CURRENCY_MISMATCH"]
    assert resolved["entry"] is None and other_currency["entry"] is None
    assert await Payment.all().count() == 1


async def test_an_entry_of_another_tenant_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    await euro_team(globex)
    entries = (await import_file(graphql, globex, day_file()))["statement"]["entries"]

    data = await graphql.data(IGNORE, {"input": {"entryId": entries[1]["id"]}}, user=acme.editor)

    assert [e["code"] for e in data["ignoreBankEntry"]["errors"]] == ["NOT_FOUND"]


async def test_ignoring_an_entry(graphql: GraphQLClient, acme: Team) -> None:
    await euro_team(acme)
    statement = (await import_file(graphql, acme, day_file()))["statement"]
    entry_id = statement["entries"][1]["id"]

    data = await graphql.data(IGNORE, {"input": {"entryId": entry_id}}, user=acme.editor)

    assert data["ignoreBankEntry"]["entry"]["status"] == "IGNORED"
    read = await graphql.data(STATEMENT, {"id": statement["id"]}, user=acme.viewer)
    assert (read["bankStatement"]["unmatched"], read["bankStatement"]["ignored"]) == (1, 2)


async def test_statements_are_listed_newest_first_a_page_at_a_time(
    graphql: GraphQLClient, acme: Team
) -> None:
    await euro_team(acme)
    ids = []
    for number in range(3):
        entry = SampleEntry(DAY, 1000, "EUR", bank_reference=f"B-{number}", text="Internet")
        ids.append(
            (await import_file(graphql, acme, mt940_text([entry]), "MT940"))["statement"]["id"]
        )

    first = (await graphql.data(STATEMENTS, {"first": 2}, user=acme.viewer))["bankStatements"]
    rest = (
        await graphql.data(
            STATEMENTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, user=acme.viewer
        )
    )["bankStatements"]

    assert [edge["node"]["id"] for edge in first["edges"]] == [ids[2], ids[1]]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["id"] for edge in rest["edges"]] == [ids[0]]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_another_tenants_statement_is_null(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    await euro_team(globex)
    statement = (await import_file(graphql, globex, day_file()))["statement"]

    data = await graphql.data(STATEMENT, {"id": statement["id"]}, user=acme.viewer)
    listed = await graphql.data(STATEMENTS, {"first": 5}, user=acme.viewer)

    assert data["bankStatement"] is None
    assert listed["bankStatements"]["edges"] == []


async def test_a_view_only_user_cannot_import_match_or_ignore(
    graphql: GraphQLClient, acme: Team
) -> None:
    await euro_team(acme)
    variables = {"input": {"format": "CAMT053", "content": day_file()}}

    refused = await graphql.execute(IMPORT, variables, user=acme.viewer)
    ignored = await graphql.execute(IGNORE, {"input": {"entryId": "1"}}, user=acme.viewer)
    listed = await graphql.execute(STATEMENTS, {"first": 5}, user=acme.stranger)

    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(ignored) == ["FORBIDDEN"]
    assert error_codes(listed) == ["FORBIDDEN"]
    assert await BankStatement.all().count() == 0
