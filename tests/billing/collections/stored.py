"""Stored data for collections tests: a tenant with a mailbox and collections settings, an owed
invoice that prints, and a day's pass done in this process (the workers' steps, in order)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from billing.collections.pass_chunk import work_collections_chunk
from billing.collections.pass_open import open_collections_pass
from billing.collections.reminder_email import send_claimed_reminder, unsent_reminder_ids
from billing.delivery.email import EmailSettings
from billing.payments.methods import PaymentMethod
from billing.payments.recording import record_payment_in
from ispbox.config import Settings
from orm.models import Client, CollectionsPass, Invoice, Tenant
from tests.support.builders import add_line, make_client, make_invoice, make_tenant
from tests.support.keys import TEST_SECRET_KEY

EMAIL = Settings(
    secret_key=TEST_SECRET_KEY, public_url="https://billing.example.test"
).email_settings()
CLIENT_EMAIL = "ada@example.test"


async def collections_tenant(smtp_port: int | None, **settings: Any) -> Tenant:
    values: dict[str, Any] = {
        "mailbox_host": "127.0.0.1",
        "mailbox_port": smtp_port,
        "mailbox_from_address": "billing@fibrenet.test",
        "reminder_days": [1, 7, 14],
        "block_after_grace": True,
    }
    values.update(settings)
    return await make_tenant("fibrenet", **values)


async def owed_invoice(
    client: Client,
    number: str,
    *,
    issued_on: date,
    terms_days: int = 5,
    grace_days: int = 10,
    total: str = "100.00",
) -> Invoice:
    """An unpaid invoice of one line, due `terms_days` after issue, in grace `grace_days` more."""
    due = issued_on + timedelta(days=terms_days)
    invoice = await make_invoice(client, number, issued_on=issued_on, due_on=due, total=total)
    await Invoice.filter(id=invoice.id).update(grace_until=due + timedelta(days=grace_days))
    await add_line(invoice, unit_price=total)
    return await Invoice.get(id=invoice.id)


async def owing_client(tenant: Tenant, key: str = "ada") -> Client:
    return await make_client(tenant, key, email=CLIENT_EMAIL, name="Ada Lovelace")


async def pass_day(
    tenant: Tenant, day: date, *, chunk_size: int = 2, email: EmailSettings = EMAIL
) -> CollectionsPass:
    """The tenant's pass of the day, made (or found) and done as the workers do it: chunks,
    then the reminders they claimed."""
    collections_pass, _ = await CollectionsPass.get_or_create(tenant_id=tenant.id, day=day)
    for chunk_id in await open_collections_pass(collections_pass.id, chunk_size):
        await work_collections_chunk(chunk_id)
    for reminder_id in await unsent_reminder_ids(tenant.id):
        await send_claimed_reminder(reminder_id, email, today=day)
    return await CollectionsPass.get(id=collections_pass.id)


async def record_payment(invoice: Invoice, amount_cents: int, day: date) -> None:
    """A payment of the invoice on `day` (the settlement hook runs in its transaction)."""
    async with in_transaction() as conn:
        await record_payment_in(
            conn,
            tenant=await Tenant.get(id=invoice.tenant_id).using_db(conn),
            client_id=invoice.client_id,
            amount_cents=amount_cents,
            received_on=day,
            method=PaymentMethod.BANK_TRANSFER,
            reference=None,
            invoice_ids=[invoice.id],
            user_id=None,
            today=day,
        )
