"""Two tenants whose client, invoice and run share one id per tenant, so that a single id value
names an existing object of that tenant whatever an argument means (see schema_walk)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from billing.bank_statements.model import StatementFormat
from billing.credit_notes.settlement import CreditNoteSettlement
from billing.invoices.lifecycle import InvoiceStatus
from billing.invoices.lines import InvoiceLineKind
from billing.runs.lifecycle import RunStatus
from orm.models import (
    BankStatement,
    Client,
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    Payment,
)
from tests.graph.conftest import Team, make_team
from tests.support.factories import make_service

OWN_ID = 500
FOREIGN_ID = 900


@dataclass(frozen=True, slots=True)
class Tenancy:
    """The caller's tenant (acme, objects with OWN_ID) and another one (globex, FOREIGN_ID)."""

    acme: Team
    globex: Team


async def team_with_aligned_ids(key: str, object_id: int) -> Team:
    """A team whose tenant has a client, an unpaid invoice, a credit note, a payment held as
    credit, a bank statement and a run awaiting review, all with the id `object_id`; their
    names carry the key in capitals, to spot them in any answer."""
    team = await make_team(key)
    marker = key.upper()
    client = await Client.create(
        id=object_id,
        tenant=team.tenant,
        key=f"{key}-aligned",
        name=f"{marker} Aligned Client",
        email=f"billing@{key}.test",
    )
    service = await make_service(client, f"{key}-fiber", next_bill_date=date(2026, 11, 1))
    run = await InvoiceRun.create(
        id=object_id,
        tenant=team.tenant,
        billing_date=date(2026, 11, 1),
        status=RunStatus.AWAITING_REVIEW,
        review=True,
    )
    invoice = await Invoice.create(
        id=object_id,
        tenant=team.tenant,
        client=client,
        run=run,
        number=f"{marker}-000001",
        status=InvoiceStatus.UNPAID,
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 15),
        grace_until=date(2026, 10, 22),
        currency="USD",
        total_cents=4_999,
        balance_cents=4_999,
    )
    await InvoiceLine.create(
        tenant=team.tenant,
        invoice=invoice,
        kind=InvoiceLineKind.SERVICE,
        description=f"{marker} Fiber",
        quantity=1,
        unit_price_cents=4_999,
        amount_cents=4_999,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        service=service,
    )
    await CreditNote.create(
        id=object_id,
        tenant=team.tenant,
        client=client,
        invoice=invoice,
        number=f"{marker}-CN-000001",
        issued_on=date(2026, 10, 5),
        reason=f"{marker} goodwill",
        settlement=CreditNoteSettlement.CREDIT,
        currency="USD",
        subtotal_cents=500,
        tax_cents=0,
        total_cents=500,
    )
    await Payment.create(
        id=object_id,
        tenant=team.tenant,
        client=client,
        amount_cents=1_000,
        currency="USD",
        paid_on=date(2026, 10, 6),
        method="bank_transfer",
        reference=f"{marker} transfer",
    )
    await BankStatement.create(
        id=object_id,
        tenant=team.tenant,
        format=StatementFormat.CAMT053,
        account=f"DE89370400440532013{object_id:03d}",
        currency="USD",
        statement_id=f"{marker}-STMT-1",
    )
    return team


async def make_tenancy() -> Tenancy:
    return Tenancy(
        acme=await team_with_aligned_ids("acme", OWN_ID),
        globex=await team_with_aligned_ids("globex", FOREIGN_ID),
    )
