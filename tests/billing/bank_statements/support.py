"""A tenant keeping its books in euros with clients owing open invoices, and statement files
written for it with `billing.bank_statements.samples`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from billing.bank_statements.importing import import_bank_statement
from billing.bank_statements.model import StatementFormat
from orm.models import BankStatement, BankStatementEntry, Client, Invoice, Tenant
from tests.support.builders import make_client, make_invoice, make_tenant


@dataclass
class Books:
    tenant: Tenant
    muller: Client
    lopez: Client
    # Jürgen Müller's open invoice of 49.90 EUR, the one the sample entries name.
    open_invoice: Invoice


async def euro_books(key: str = "acme") -> Books:
    tenant = await make_tenant(key, currency="EUR")
    muller = await make_client(tenant, f"{key}-muller", name="Jürgen Müller")
    lopez = await make_client(tenant, f"{key}-lopez", name="Ana Lopez")
    invoice = await make_invoice(
        muller, "INV-000012", total="49.90", currency="EUR", due_on=date(2026, 11, 15)
    )
    return Books(tenant=tenant, muller=muller, lopez=lopez, open_invoice=invoice)


async def euro_invoice(
    client: Client, number: str, total: str, due_on: date = date(2026, 11, 15)
) -> Invoice:
    return await make_invoice(client, number, total=total, currency="EUR", due_on=due_on)


async def imported(
    tenant: Tenant, content: str, statement_format: StatementFormat = StatementFormat.CAMT053
) -> BankStatement:
    return await import_bank_statement(
        tenant=tenant, user_id=None, content=content, statement_format=statement_format
    )


async def entries_of(statement: BankStatement) -> list[BankStatementEntry]:
    return await BankStatementEntry.filter(statement_id=statement.id).order_by("position")


async def reloaded(invoice: Invoice) -> Invoice:
    return await Invoice.get(id=invoice.id)
