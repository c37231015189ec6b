"""The payments API: recordPayment, reversePayment, refundPayment, applyCredit, payment,
payments, the client's creditBalance, balanceDue, payments and statement, PaymentAllocation's
invoice and payment, and the invoice's pay action."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from billing.invoices.lifecycle import InvoiceStatus
from orm.models import AuditEvent, Client, Invoice, Payment, PaymentAllocation, PaymentRefund
from tests.graph.conftest import GraphQLClient, Team, error_codes
from tests.graph.test_query_count import counting_statements
from tests.support.builders import make_client, make_invoice

pytestmark = pytest.mark.asyncio

RECORD = """mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {
  payment { id amount currency receivedOn method reference status unallocated refunded
    client { id creditBalance balanceDue }
    allocations { amount paidOn method invoice { id number balance status } payment { id } } }
  errors { code message field }
} }"""
REVERSE = """mutation($input: ReversePaymentInput!) { reversePayment(input: $input) {
  payment { id status unallocated allocations { amount } client { creditBalance balanceDue } }
  errors { code message field }
} }"""
REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  payment { id unallocated refunded client { creditBalance } }
  errors { code message field }
} }"""
APPLY = """mutation($input: ApplyCreditInput!) { applyCredit(input: $input) {
  client { id creditBalance balanceDue }
  errors { code message field }
} }"""
PAYMENTS = """query($filter: PaymentFilter, $first: Int!, $after: String) {
  payments(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id reference receivedOn client { name } } }
} }"""
CLIENT = """query($id: ID!, $from: Date, $to: Date) { client(id: $id) {
  creditBalance balanceDue
  payments(first: 10) { totalCount edges { node { id amount } } }
  statement(from: $from, to: $to) {
    from to openingBalance closingBalance
    entries { date kind reference debit credit balance }
  }
} }"""
PAY_ACTION = """query($id: ID!) { invoice(id: $id) { actions { pay { allowed reason } } } }"""


async def open_invoice(
    client: Client, number: str, total: str, due: date, issued: date | None = None
) -> Invoice:
    return await make_invoice(
        client, number, total=total, issued_on=issued or due.replace(day=1), due_on=due
    )


def payment_input(team: Team, amount: str, **more: Any) -> dict[str, Any]:
    return {
        "clientId": str(team.client.id),
        "amount": amount,
        "receivedOn": "2026-11-20",
        "method": "BANK_TRANSFER",
        "reference": "TRX 42",
        **more,
    }


async def record(graphql: GraphQLClient, team: Team, amount: str, **more: Any) -> dict:
    data = await graphql.data(
        RECORD, {"input": payment_input(team, amount, **more)}, user=team.editor
    )
    return data["recordPayment"]


async def test_a_payment_pays_the_oldest_due_invoices_and_the_rest_is_credit(
    graphql: GraphQLClient, acme: Team
) -> None:
    later = await open_invoice(acme.client, "INV-2", "30.00", date(2026, 11, 15))
    older = await open_invoice(acme.client, "INV-1", "50.00", date(2026, 10, 15))

    payload = await record(graphql, acme, "100.00")

    assert payload["errors"] == []
    payment = payload["payment"]
    assert {k: payment[k] for k in ("amount", "currency", "method", "status", "unallocated")} == {
        "amount": "100.00",
        "currency": "USD",
        "method": "BANK_TRANSFER",
        "status": "RECEIVED",
        "unallocated": "20.00",
    }
    assert [
        (a["amount"], a["invoice"]["number"], a["invoice"]["status"])
        for a in payment["allocations"]
    ] == [
        ("50.00", "INV-1", "PAID"),
        ("30.00", "INV-2", "PAID"),
    ]
    assert {a["payment"]["id"] for a in payment["allocations"]} == {payment["id"]}
    assert payment["client"] == {
        "id": str(acme.client.id),
        "creditBalance": "20.00",
        "balanceDue": "0.00",
    }
    assert [i.status for i in [await Invoice.get(id=older.id), await Invoice.get(id=later.id)]] == [
        InvoiceStatus.PAID,
        InvoiceStatus.PAID,
    ]
    assert await AuditEvent.filter(action="payment").count() == 1


async def test_named_invoices_take_the_money_in_their_order(
    graphql: GraphQLClient, acme: Team
) -> None:
    older = await open_invoice(acme.client, "INV-1", "50.00", date(2026, 10, 15))
    later = await open_invoice(acme.client, "INV-2", "30.00", date(2026, 11, 15))

    payload = await record(graphql, acme, "40.00", invoiceIds=[str(later.id), str(older.id)])

    assert [
        (a["invoice"]["number"], a["invoice"]["balance"], a["invoice"]["status"])
        for a in payload["payment"]["allocations"]
    ] == [
        ("INV-2", "0.00", "PAID"),
        ("INV-1", "40.00", "PARTIAL"),
    ]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"amount": "0"}, "INVALID_INPUT", "amount"),
        ({"amount": "10.001"}, "INVALID_INPUT", "amount"),
        ({"currency": "EUR"}, "CURRENCY_MISMATCH", "currency"),
        ({"receivedOn": "1999-12-31"}, "INVALID_INPUT", "receivedOn"),
        ({"clientId": "nope"}, "NOT_FOUND", "clientId"),
        ({"clientId": "987654"}, "NOT_FOUND", "clientId"),
        ({"invoiceIds": ["x"]}, "NOT_FOUND", "invoiceIds"),
        ({"reference": "two\nlines"}, "INVALID_INPUT", "reference"),
    ],
)
async def test_bad_input_is_refused_and_records_nothing(
    graphql: GraphQLClient, acme: Team, change: dict, code: str, field: str
) -> None:
    invoice = await open_invoice(acme.client, "INV-1", "50.00", date(2026, 10, 15))
    variables = {"input": {**payment_input(acme, "10.00"), **change}}

    payload = (await graphql.data(RECORD, variables, user=acme.editor))["recordPayment"]

    assert payload["payment"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert await Payment.all().count() == 0
    assert (await Invoice.get(id=invoice.id)).balance_cents == 5000


@pytest.mark.parametrize("status", [InvoiceStatus.DRAFT, InvoiceStatus.VOID, InvoiceStatus.PAID])
async def test_a_named_invoice_that_takes_no_payment_is_not_payable(
    graphql: GraphQLClient, acme: Team, status: InvoiceStatus
) -> None:
    invoice = await make_invoice(acme.client, "INV-1", status=status)

    payload = await record(graphql, acme, "10.00", invoiceIds=[str(invoice.id)])

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_PAYABLE", "invoiceIds")]
    assert await Payment.all().count() == 0


async def test_another_tenants_client_and_invoice_are_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    theirs = await open_invoice(globex.client, "INV-9", "10.00", date(2026, 11, 1))

    as_their_client = await record(graphql, acme, "10.00", clientId=str(globex.client.id))
    as_their_invoice = await record(graphql, acme, "10.00", invoiceIds=[str(theirs.id)])

    assert error_codes_of(as_their_client) == ["NOT_FOUND"]
    assert error_codes_of(as_their_invoice) == ["NOT_FOUND"]
    assert (await Invoice.get(id=theirs.id)).balance_cents == 1000
    assert await Payment.all().count() == 0


def error_codes_of(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


async def test_a_repeated_idempotency_key_records_the_payment_once(
    graphql: GraphQLClient, acme: Team
) -> None:
    await open_invoice(acme.client, "INV-1", "50.00", date(2026, 10, 15))

    first = await record(graphql, acme, "20.00", idempotencyKey="pay-1")
    again = await record(graphql, acme, "20.00", idempotencyKey="pay-1")
    other = await record(graphql, acme, "25.00", idempotencyKey="pay-1")

    assert again["payment"]["id"] == first["payment"]["id"]
    assert error_codes_of(other) == ["IDEMPOTENCY_CONFLICT"]
    assert await Payment.all().count() == 1
    assert (await Invoice.get(client_id=acme.client.id)).balance_cents == 3000


async def test_mutations_need_billing_edit_and_reads_billing_view(
    graphql: GraphQLClient, acme: Team
) -> None:
    variables = {"input": payment_input(acme, "10.00")}
    refused = await graphql.execute(RECORD, variables, user=acme.viewer)
    unseen = await graphql.execute(PAYMENTS, {"first": 5}, user=acme.stranger)
    credit = await graphql.execute(
        APPLY, {"input": {"clientId": str(acme.client.id)}}, user=acme.viewer
    )

    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(unseen) == ["FORBIDDEN"]
    assert error_codes(credit) == ["FORBIDDEN"]
    assert await Payment.all().count() == 0
    seen = await graphql.data(PAYMENTS, {"first": 5}, user=acme.viewer)
    assert seen["payments"]["totalCount"] == 0


async def test_a_reversal_reopens_the_invoice_and_a_second_is_already_reversed(
    graphql: GraphQLClient, acme: Team
) -> None:
    invoice = await open_invoice(acme.client, "INV-1", "50.00", date(2026, 10, 15))
    payment_id = (await record(graphql, acme, "60.00"))["payment"]["id"]
    reverse = {"input": {"paymentId": payment_id, "reason": "Cheque bounced"}}

    first = (await graphql.data(REVERSE, reverse, user=acme.editor))["reversePayment"]
    second = (await graphql.data(REVERSE, reverse, user=acme.editor))["reversePayment"]

    assert first["errors"] == []
    assert first["payment"] == {
        "id": payment_id,
        "status": "REVERSED",
        "unallocated": "0.00",
        "allocations": [],
        "client": {"creditBalance": "0.00", "balanceDue": "50.00"},
    }
    assert (await Invoice.get(id=invoice.id)).status == InvoiceStatus.UNPAID
    assert [(e["code"], e["field"]) for e in second["errors"]] == [
        ("ALREADY_REVERSED", "paymentId")
    ]
    assert await AuditEvent.filter(action="reversal").count() == 1


async def test_a_reversal_needs_a_reason_and_an_existing_payment(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    theirs = (await record(graphql, globex, "10.00"))["payment"]["id"]
    ours = (await record(graphql, acme, "10.00"))["payment"]["id"]

    cases = [
        {"paymentId": theirs, "reason": "Bounced"},
        {"paymentId": "x", "reason": "Bounced"},
        {"paymentId": ours, "reason": "  "},
    ]
    answers = [
        (await graphql.data(REVERSE, {"input": case}, user=acme.editor))["reversePayment"]
        for case in cases
    ]

    assert [error_codes_of(answer) for answer in answers] == [
        ["NOT_FOUND"],
        ["NOT_FOUND"],
        ["INVALID_INPUT"],
    ]
    assert await Payment.filter(status="reversed").count() == 0


async def test_a_refund_comes_out_of_the_unallocated_part_once_per_key(
    graphql: GraphQLClient, acme: Team
) -> None:
    await open_invoice(acme.client, "INV-1", "50.00", date(2026, 10, 15))
    payment_id = (await record(graphql, acme, "80.00", method="CASH"))["payment"]["id"]

    def refund(amount: str, key: str | None = None) -> dict:
        return {"input": {"paymentId": payment_id, "amount": amount, "idempotencyKey": key}}

    too_much = (await graphql.data(REFUND, refund("30.01"), user=acme.editor))["refundPayment"]
    done = (await graphql.data(REFUND, refund("12.50", "r-1"), user=acme.editor))["refundPayment"]
    again = (await graphql.data(REFUND, refund("12.50", "r-1"), user=acme.editor))["refundPayment"]

    assert [(e["code"], e["field"]) for e in too_much["errors"]] == [
        ("REFUND_EXCEEDS_UNALLOCATED", "amount")
    ]
    assert done["payment"] == {
        "id": payment_id,
        "unallocated": "17.50",
        "refunded": "12.50",
        "client": {"creditBalance": "17.50"},
    }
    assert again["payment"] == done["payment"]
    assert await PaymentRefund.all().count() == 1


async def test_apply_credit_pays_open_invoices_from_the_credit_balance(
    graphql: GraphQLClient, acme: Team
) -> None:
    await record(graphql, acme, "25.00")
    invoice = await open_invoice(acme.client, "INV-1", "40.00", date(2026, 11, 15))

    payload = (
        await graphql.data(APPLY, {"input": {"clientId": str(acme.client.id)}}, user=acme.editor)
    )["applyCredit"]

    assert payload == {
        "client": {"id": str(acme.client.id), "creditBalance": "0.00", "balanceDue": "15.00"},
        "errors": [],
    }
    assert (await Invoice.get(id=invoice.id)).status == InvoiceStatus.PARTIAL
    assert await PaymentAllocation.filter(invoice_id=invoice.id).count() == 1


async def test_apply_credit_to_a_paid_invoice_is_not_payable(
    graphql: GraphQLClient, acme: Team
) -> None:
    await record(graphql, acme, "25.00")
    paid = await make_invoice(acme.client, "INV-1", status=InvoiceStatus.PAID)
    variables = {"input": {"clientId": str(acme.client.id), "invoiceIds": [str(paid.id)]}}

    payload = (await graphql.data(APPLY, variables, user=acme.editor))["applyCredit"]

    assert payload["client"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_PAYABLE", "invoiceIds")]
    assert await PaymentAllocation.all().count() == 0


async def test_payments_list_newest_received_first_with_search_filter_and_pages(
    graphql: GraphQLClient, acme: Team
) -> None:
    other = await make_client(acme.tenant, "acme-other", name="Zeta Fibre")
    days = ["2026-11-03", "2026-11-10", "2026-11-10", "2026-11-01"]
    ids = []
    for n, day in enumerate(days):
        client_id = str(other.id if n == 3 else acme.client.id)
        extra = {"receivedOn": day, "reference": f"REF-{n}", "clientId": client_id}
        ids.append((await record(graphql, acme, "5.00", **extra))["payment"]["id"])

    first = (await graphql.data(PAYMENTS, {"first": 2}, user=acme.viewer))["payments"]
    rest = (
        await graphql.data(
            PAYMENTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, user=acme.viewer
        )
    )["payments"]
    searched = (
        await graphql.data(PAYMENTS, {"first": 10, "filter": {"search": "zeta"}}, user=acme.viewer)
    )["payments"]
    by_reference = (
        await graphql.data(PAYMENTS, {"first": 10, "filter": {"search": "ref-1"}}, user=acme.viewer)
    )["payments"]
    of_client = (
        await graphql.data(
            PAYMENTS, {"first": 10, "filter": {"clientId": str(other.id)}}, user=acme.viewer
        )
    )["payments"]

    order = [edge["node"]["id"] for edge in first["edges"] + rest["edges"]]
    assert order == [ids[2], ids[1], ids[0], ids[3]]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (4, True)
    assert rest["pageInfo"]["hasNextPage"] is False
    assert [edge["node"]["id"] for edge in searched["edges"]] == [ids[3]]
    assert [edge["node"]["reference"] for edge in by_reference["edges"]] == ["REF-1"]
    assert [edge["node"]["client"]["name"] for edge in of_client["edges"]] == ["Zeta Fibre"]


async def test_a_foreign_cursor_is_refused(graphql: GraphQLClient, acme: Team) -> None:
    body = await graphql.execute(
        PAYMENTS, {"first": 2, "after": "bm90LWEtY3Vyc29y"}, user=acme.viewer
    )
    assert error_codes(body) == ["INVALID_INPUT"]


async def test_payment_by_id_only_within_the_tenant(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    theirs = (await record(graphql, globex, "10.00"))["payment"]["id"]
    ours = (await record(graphql, acme, "10.00"))["payment"]["id"]
    query = "query($id: ID!) { payment(id: $id) { id amount client { id } } }"

    assert (await graphql.data(query, {"id": theirs}, user=acme.viewer))["payment"] is None
    assert (await graphql.data(query, {"id": ours}, user=acme.viewer))["payment"] == {
        "id": ours,
        "amount": "10.00",
        "client": {"id": str(acme.client.id)},
    }


async def test_the_client_statement_runs_from_opening_to_closing_balance(
    graphql: GraphQLClient, acme: Team
) -> None:
    await open_invoice(acme.client, "INV-1", "50.00", date(2026, 10, 15), issued=date(2026, 10, 1))
    await open_invoice(acme.client, "INV-2", "30.00", date(2026, 11, 15), issued=date(2026, 11, 1))
    await record(graphql, acme, "100.00", receivedOn="2026-11-20", reference="TRX 9")
    variables = {"id": str(acme.client.id), "from": "2026-11-01", "to": "2026-11-30"}

    client = (await graphql.data(CLIENT, variables, user=acme.viewer))["client"]

    statement = client["statement"]
    assert (statement["from"], statement["to"]) == ("2026-11-01", "2026-11-30")
    assert (statement["openingBalance"], statement["closingBalance"]) == ("50.00", "-20.00")
    assert statement["entries"] == [
        {
            "date": "2026-11-01",
            "kind": "INVOICE",
            "reference": "INV-2",
            "debit": "30.00",
            "credit": "0.00",
            "balance": "80.00",
        },
        {
            "date": "2026-11-20",
            "kind": "PAYMENT",
            "reference": "TRX 9",
            "debit": "0.00",
            "credit": "100.00",
            "balance": "-20.00",
        },
    ]
    assert (client["balanceDue"], client["creditBalance"]) == ("0.00", "20.00")
    assert client["payments"]["totalCount"] == 1


async def test_a_statement_ending_before_it_starts_is_refused(
    graphql: GraphQLClient, acme: Team
) -> None:
    variables = {"id": str(acme.client.id), "from": "2026-11-30", "to": "2026-11-01"}
    body = await graphql.execute(CLIENT, variables, user=acme.viewer)
    assert error_codes(body) == ["INVALID_INPUT"]


async def test_the_pay_action_follows_the_lifecycle_and_the_permission(
    graphql: GraphQLClient, acme: Team
) -> None:
    unpaid = await make_invoice(acme.client, "INV-1")
    paid = await make_invoice(acme.client, "INV-2", status=InvoiceStatus.PAID)
    draft = await make_invoice(acme.client, None, status=InvoiceStatus.DRAFT)

    async def pay_action(invoice: Invoice, team_user) -> dict:
        data = await graphql.data(PAY_ACTION, {"id": str(invoice.id)}, user=team_user)
        return data["invoice"]["actions"]["pay"]

    assert await pay_action(unpaid, acme.editor) == {"allowed": True, "reason": None}
    assert await pay_action(paid, acme.editor) == {
        "allowed": False,
        "reason": "The invoice has nothing left to pay.",
    }
    assert await pay_action(draft, acme.editor) == {
        "allowed": False,
        "reason": "The invoice is a draft.",
    }
    assert await pay_action(unpaid, acme.viewer) == {
        "allowed": False,
        "reason": "Needs the billing.edit permission.",
    }


CLIENT_BALANCES = """query($first: Int!) { payments(first: $first) { edges { node {
  id client { creditBalance balanceDue } allocations { amount invoice { number } payment { id } }
} } } }"""


async def test_a_page_of_payments_with_balances_costs_the_same_statements_for_more_rows(
    graphql: GraphQLClient, acme: Team
) -> None:
    for n in range(12):
        client = await make_client(acme.tenant, f"many-{n}")
        await open_invoice(client, f"INV-{n:03d}", "10.00", date(2026, 11, 15))
        await record(graphql, acme, "15.00", clientId=str(client.id))

    async def statements(first: int) -> int:
        with counting_statements() as counter:
            data = await graphql.data(CLIENT_BALANCES, {"first": first}, user=acme.viewer)
        assert len(data["payments"]["edges"]) == first
        return len(counter.statements)

    assert await statements(3) == await statements(12)
