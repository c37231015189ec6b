"""The invoice's lifecycle: each action allowed or refused by status, and the status transitions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from billing.errors import ErrorCode
from billing.invoices import lifecycle
from billing.invoices.lifecycle import (
    DELETE_DEV_ONLY,
    DRAFT_NOT_SENT,
    DRAFT_NOT_VOIDED,
    VOID_NOT_SENT,
    InvoiceStatus,
    auto_charge_refusal,
    auto_email_refusal,
    delete_refusal,
    issued_status,
    issued_status_sql,
    payment_refusal,
    send_refusal,
    status_for_balance,
    takes_payment,
    view_refusal,
    void_refusal,
)
from orm.db import connection

DRAFT, UNPAID, PARTIAL, PAID, VOID = (
    InvoiceStatus.DRAFT,
    InvoiceStatus.UNPAID,
    InvoiceStatus.PARTIAL,
    InvoiceStatus.PAID,
    InvoiceStatus.VOID,
)
# What each status allows when nothing else stands in the way (a client with an address, a
# configured mailbox, no payment allocated, money owed, never emailed): True, or the refusal's code.
ACTIONS_BY_STATUS = {
    #         view  send                      void                     pay / charge / auto email
    DRAFT: (True, ErrorCode.INVALID_INPUT, ErrorCode.NOT_VOIDABLE, False, False, False),
    UNPAID: (True, True, True, True, True, True),
    PARTIAL: (True, True, ErrorCode.NOT_VOIDABLE, True, True, True),
    PAID: (True, True, ErrorCode.NOT_VOIDABLE, False, False, True),
    VOID: (True, ErrorCode.INVALID_INPUT, ErrorCode.ALREADY_VOID, False, False, False),
}


def allowed_send(status: InvoiceStatus):
    return send_refusal(
        status, client_name="Ada", client_email="ada@example.com", mailbox_problem=None
    )


def answer(refusal) -> bool | ErrorCode:
    return True if refusal is None else refusal.code


@pytest.mark.parametrize("status", list(InvoiceStatus))
def test_each_status_allows_the_actions_of_its_row(status: InvoiceStatus) -> None:
    view, send, void, pay, charge, auto_email = ACTIONS_BY_STATUS[status]
    balance = 0 if status == PAID else 5_000

    assert answer(view_refusal(status)) == view
    assert answer(allowed_send(status)) == send
    assert answer(void_refusal(status, allocation_count=0)) == void
    assert takes_payment(status, balance) is pay
    assert (auto_charge_refusal(status, balance_cents=balance) is None) is charge
    refusal = auto_email_refusal(status, total_cents=10_000, auto_email=True, emailed_at=None)
    assert (refusal is None) is auto_email


def test_a_draft_is_neither_sent_nor_voided_until_its_run_is_finalized() -> None:
    assert allowed_send(DRAFT).message == DRAFT_NOT_SENT
    assert void_refusal(DRAFT, allocation_count=0).message == DRAFT_NOT_VOIDED


def test_a_void_invoice_is_not_sent_to_the_customer() -> None:
    assert allowed_send(VOID).message == VOID_NOT_SENT


def test_send_needs_the_clients_email_address_and_a_configured_mailbox() -> None:
    no_address = send_refusal(UNPAID, client_name="Ada", client_email=None, mailbox_problem=None)
    no_client = send_refusal(UNPAID, client_name=None, client_email=None, mailbox_problem=None)
    no_mailbox = send_refusal(
        UNPAID, client_name="Ada", client_email="ada@example.com", mailbox_problem="No host."
    )

    assert (no_address.code, no_address.message) == (
        ErrorCode.CLIENT_EMAIL_MISSING,
        "The client Ada has no email address.",
    )
    assert no_client.message == "The client has no email address."
    assert (no_mailbox.code, no_mailbox.message) == (ErrorCode.MAILBOX_UNAVAILABLE, "No host.")


def test_void_is_refused_while_payments_are_allocated_or_a_card_payment_is_under_way() -> None:
    allocated = void_refusal(UNPAID, allocation_count=1)
    in_flight = void_refusal(UNPAID, allocation_count=0, charge_in_flight=True)

    assert allocated.code == ErrorCode.HAS_ALLOCATIONS
    assert in_flight.code == ErrorCode.NOT_VOIDABLE
    assert "being taken right now" in in_flight.message


def test_a_paid_or_partial_invoice_says_why_it_cannot_be_voided() -> None:
    assert void_refusal(PARTIAL, allocation_count=1).message == (
        "The invoice is partial: only unpaid invoices can be voided."
    )


@pytest.mark.parametrize(("development", "allowed"), [(True, True), (False, False)])
def test_delete_is_a_development_tool(development: bool, allowed: bool) -> None:
    refusal = delete_refusal(development=development)

    assert (refusal is None) is allowed
    if refusal is not None:
        assert (refusal.code, refusal.message) == (ErrorCode.DEV_ONLY, DELETE_DEV_ONLY)


@pytest.mark.parametrize("status", [UNPAID, PARTIAL])
def test_an_invoice_that_owes_nothing_takes_no_payment_and_is_not_charged(
    status: InvoiceStatus,
) -> None:
    assert not takes_payment(status, 0)
    assert auto_charge_refusal(status, balance_cents=0).message == (
        "the invoice has nothing left to pay"
    )
    assert payment_refusal(status, balance_cents=1) is None


@pytest.mark.parametrize(
    ("total_cents", "auto_email", "emailed_at", "reason"),
    [
        (0, True, None, "zero-total invoices are not emailed automatically"),
        (100, False, None, "the invoice is not set to be emailed automatically"),
        (100, True, datetime(2026, 11, 1, tzinfo=UTC), "the invoice was already emailed"),
    ],
)
def test_the_email_job_emails_each_marked_invoice_with_a_total_once(
    total_cents: int, auto_email: bool, emailed_at: datetime | None, reason: str
) -> None:
    refusal = auto_email_refusal(
        UNPAID, total_cents=total_cents, auto_email=auto_email, emailed_at=emailed_at
    )

    assert refusal.message == reason


@pytest.mark.parametrize(
    ("balance", "total", "status"),
    [(10_000, 10_000, UNPAID), (2_500, 10_000, PARTIAL), (0, 10_000, PAID), (0, 0, PAID)],
)
def test_the_balance_sets_the_status_of_an_issued_invoice(
    balance: int, total: int, status: InvoiceStatus
) -> None:
    assert status_for_balance(balance, total) == status


@pytest.mark.parametrize(("total", "status"), [(10_000, UNPAID), (1, UNPAID), (0, PAID)])
def test_an_invoice_is_issued_unpaid_and_a_zero_total_one_paid(
    total: int, status: InvoiceStatus
) -> None:
    assert issued_status(total) == status


def test_the_statuses_the_jobs_and_followups_filter_on_are_the_rules_own() -> None:
    sendable = {s for s in InvoiceStatus if allowed_send(s) is None}
    payable = {s for s in InvoiceStatus if takes_payment(s, 1)}

    assert sendable == set(lifecycle.SENDABLE_STATUSES)
    assert payable == set(lifecycle.PAYABLE_STATUSES)
    assert {s for s in InvoiceStatus if void_refusal(s, allocation_count=0) is None} == set(
        lifecycle.VOIDABLE_STATUSES
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("total", [0, 1, 10_000, 2**62])
async def test_the_sql_that_finalizes_drafts_issues_them_with_the_same_status(
    db: str, total: int
) -> None:
    rows = await connection().execute_query_dict(
        f"SELECT {issued_status_sql('t.total_cents')} AS status "
        f"FROM (SELECT {total} AS total_cents) AS t"
    )

    assert rows[0]["status"] == issued_status(total).value
