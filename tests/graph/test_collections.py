"""Collections through the API: agingReport, sendReminder, setClientBlocked, Invoice.reminders,
InvoiceActions.remind and Client.blockedReason, within the viewer's tenant."""

from __future__ import annotations

from datetime import timedelta

import pytest
import pytest_asyncio

from billing.audit.actions import AuditAction
from billing.dates import today_in
from orm.models import AuditEvent, Client, InvoiceReminder, Tenant
from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_client, make_invoice
from tests.support.smtp import MaildirSmtpServer

pytestmark = pytest.mark.asyncio

AGING = """{ agingReport { asOf currency total
  buckets { label fromDays toDays count balance } } }"""

REMIND = """mutation($id: ID!, $key: String) {
  sendReminder(input: {invoiceId: $id, idempotencyKey: $key}) {
    invoice { id reminders { level sentAt } actions { remind { allowed reason } } }
    errors { code message field }
  }
}"""

BLOCK = """mutation($id: ID!, $blocked: Boolean!) {
  setClientBlocked(input: {clientId: $id, blocked: $blocked}) {
    client { id blocked blockedReason }
    errors { code message field }
  }
}"""

INVOICE = """query($id: ID!) { invoice(id: $id) {
  reminders { level } actions { remind { allowed reason } } } }"""


def today():  # type: ignore[no-untyped-def]
    return today_in("UTC")


@pytest_asyncio.fixture
async def mailbox(acme: Team, smtp_server: MaildirSmtpServer) -> MaildirSmtpServer:
    await Tenant.filter(id=acme.tenant.id).update(
        mailbox_host=smtp_server.host,
        mailbox_port=smtp_server.port,
        mailbox_from_address="billing@acme.example",
    )
    acme.tenant = await Tenant.get(id=acme.tenant.id)
    return smtp_server


async def test_the_aging_report_buckets_open_balances_by_days_past_due(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    day = today()
    client = acme.client
    await make_invoice(client, "A-1", due_on=day, total="10.00")  # due today: current
    await make_invoice(client, "A-2", due_on=day - timedelta(days=1), total="20.00")
    await make_invoice(client, "A-3", due_on=day - timedelta(days=30), total="30.00")
    await make_invoice(client, "A-4", due_on=day - timedelta(days=31), total="40.00")
    await make_invoice(client, "A-5", due_on=day - timedelta(days=91), total="50.00", balance="5")
    await make_invoice(client, "A-6", due_on=day - timedelta(days=91), status="paid")
    await make_invoice(client, "A-7", due_on=day - timedelta(days=91), status="void")
    await make_invoice(client, None, due_on=day - timedelta(days=91), status="draft")
    await make_invoice(globex.client, "G-1", due_on=day - timedelta(days=5), total="99.00")

    report = (await graphql.data(AGING, user=acme.viewer))["agingReport"]

    assert report["asOf"] == day.isoformat() and report["currency"] == "USD"
    assert [
        (b["label"], b["fromDays"], b["toDays"], b["count"], b["balance"])
        for b in report["buckets"]
    ] == [
        ("Current", 0, 0, 1, "10.00"),
        ("1-30", 1, 30, 2, "50.00"),
        ("31-60", 31, 60, 1, "40.00"),
        ("61-90", 61, 90, 0, "0.00"),
        ("91+", 91, None, 1, "5.00"),
    ]
    assert report["total"] == "105.00"


async def test_a_reminder_is_emailed_at_the_next_level_and_shown_on_the_invoice(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client, "INV-7", due_on=today() - timedelta(days=3))
    await InvoiceReminder.create(
        tenant_id=acme.tenant.id, invoice_id=invoice.id, level=1, trigger="auto", sent_at=None
    )

    payload = (await graphql.data(REMIND, {"id": str(invoice.id)}, user=acme.editor))[
        "sendReminder"
    ]

    assert payload["errors"] == []
    assert [reminder["level"] for reminder in payload["invoice"]["reminders"]] == [2]
    [message] = mailbox.messages()
    assert message["X-Reminder-Level"] == "2" and "INV-7" in message["Subject"]
    event = await AuditEvent.get(action=AuditAction.REMIND)
    assert (event.user_id, event.invoice_id) == (acme.editor.user.id, invoice.id)


async def test_a_reminder_repeated_under_its_key_is_not_emailed_again(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client, "INV-8", due_on=today() - timedelta(days=3))
    variables = {"id": str(invoice.id), "key": "remind-8"}

    first = await graphql.data(REMIND, variables, user=acme.editor)
    again = await graphql.data(REMIND, variables, user=acme.editor)

    assert first["sendReminder"]["errors"] == again["sendReminder"]["errors"] == []
    assert len(mailbox.messages()) == 1
    assert await InvoiceReminder.filter(invoice_id=invoice.id).count() == 1


@pytest.mark.parametrize(
    ("due_in_days", "status", "reason"),
    [
        (0, "unpaid", "not past due"),
        (5, "unpaid", "not past due"),
        (-5, "paid", "nothing owed"),
        (-5, "void", "nothing owed"),
    ],
)
async def test_a_reminder_is_refused_where_nothing_is_past_due(
    graphql: GraphQLClient,
    acme: Team,
    mailbox: MaildirSmtpServer,
    due_in_days: int,
    status: str,
    reason: str,
) -> None:
    invoice = await make_invoice(
        acme.client, "INV-9", status=status, due_on=today() + timedelta(days=due_in_days)
    )

    payload = (await graphql.data(REMIND, {"id": str(invoice.id)}, user=acme.editor))[
        "sendReminder"
    ]
    state = (await graphql.data(INVOICE, {"id": str(invoice.id)}, user=acme.editor))["invoice"]

    assert [error["code"] for error in payload["errors"]] == ["NOT_OVERDUE"]
    assert reason in payload["errors"][0]["message"]
    assert state["actions"]["remind"] == {
        "allowed": False,
        "reason": payload["errors"][0]["message"],
    }
    assert mailbox.messages() == [] and not await InvoiceReminder.exists()


async def test_remind_is_allowed_for_an_invoice_past_due_and_refused_to_a_viewer(
    graphql: GraphQLClient, acme: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(acme.client, "INV-10", due_on=today() - timedelta(days=1))

    as_editor = await graphql.data(INVOICE, {"id": str(invoice.id)}, user=acme.editor)
    as_viewer = await graphql.data(INVOICE, {"id": str(invoice.id)}, user=acme.viewer)
    refused = await graphql.execute(REMIND, {"id": str(invoice.id)}, user=acme.viewer)

    assert as_editor["invoice"]["actions"]["remind"] == {"allowed": True, "reason": None}
    assert as_viewer["invoice"]["actions"]["remind"]["allowed"] is False
    assert refused["data"] is None or refused["data"]["sendReminder"] is None
    assert mailbox.messages() == []


async def test_another_tenants_invoice_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team, mailbox: MaildirSmtpServer
) -> None:
    invoice = await make_invoice(globex.client, "G-2", due_on=today() - timedelta(days=9))

    payload = (await graphql.data(REMIND, {"id": str(invoice.id)}, user=acme.editor))[
        "sendReminder"
    ]

    assert [error["code"] for error in payload["errors"]] == ["NOT_FOUND"]


async def test_a_client_is_blocked_and_unblocked_by_hand(
    graphql: GraphQLClient, acme: Team
) -> None:
    client_id = str(acme.client.id)

    blocked = await graphql.data(BLOCK, {"id": client_id, "blocked": True}, user=acme.editor)
    unblocked = await graphql.data(BLOCK, {"id": client_id, "blocked": False}, user=acme.editor)

    assert blocked["setClientBlocked"]["client"] == {
        "id": client_id,
        "blocked": True,
        "blockedReason": "MANUAL",
    }
    assert unblocked["setClientBlocked"]["client"]["blocked"] is False
    assert unblocked["setClientBlocked"]["client"]["blockedReason"] is None
    actions = await AuditEvent.filter(tenant_id=acme.tenant.id).values_list("action", flat=True)
    assert actions == [AuditAction.BLOCK, AuditAction.UNBLOCK]


async def test_unblocking_by_hand_lifts_an_overdue_block(
    graphql: GraphQLClient, acme: Team
) -> None:
    client = await make_client(acme.tenant, "late")
    await Client.filter(id=client.id).update(blocked=True, blocked_reason="overdue")

    payload = await graphql.data(BLOCK, {"id": str(client.id), "blocked": False}, user=acme.editor)

    assert payload["setClientBlocked"]["client"]["blockedReason"] is None
    assert (await Client.get(id=client.id)).blocked is False


async def test_blocking_another_tenants_client_is_not_found(
    graphql: GraphQLClient, acme: Team, globex: Team
) -> None:
    payload = await graphql.data(
        BLOCK, {"id": str(globex.client.id), "blocked": True}, user=acme.editor
    )

    assert [error["code"] for error in payload["setClientBlocked"]["errors"]] == ["NOT_FOUND"]
    assert (await Client.get(id=globex.client.id)).blocked is False
