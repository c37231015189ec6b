"""Per-request DataLoaders: each relation a list touches is read in one query per page.

Every loader reads within the viewer's tenant, so a key of another tenant loads nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple, TypeVar

from strawberry.dataloader import DataLoader

from billing.bank_statements.suggestions import suggested_invoice_ids
from billing.clients.eligibility import ChargeStatus
from billing.delivery.attempts import ChargeAttemptStatus
from billing.invoices.listing import InvoiceListFilter, InvoicePage, ListPosition, invoice_page
from billing.payments.balances import balances_due, credit_balances
from orm.models import (
    BankStatementEntry,
    Charge,
    ChargeAttempt,
    Client,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    InvoiceReminder,
    InvoiceRun,
    InvoiceTax,
    Payment,
    PaymentAllocation,
    RunError,
    Service,
    Tenant,
)

Row = TypeVar("Row")


def _one_per_key(keys: list[int], rows: Iterable[Row], key_of: str = "id") -> list[Row | None]:
    by_key = {getattr(row, key_of): row for row in rows}
    return [by_key.get(key) for key in keys]


def _many_per_key(keys: list[int], rows: Iterable[Row], key_of: str) -> list[list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key_of)].append(row)
    return [grouped.get(key, []) for key in keys]


class RunPageKey(NamedTuple):
    """One page of a run's invoices."""

    run_id: int
    first: int
    after: ListPosition | None


class Loaders:
    """The loaders of one request (or of one subscription event)."""

    def __init__(self, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.client = DataLoader[int, Client | None](load_fn=self._clients)
        self.run = DataLoader[int, InvoiceRun | None](load_fn=self._runs)
        self.lines = DataLoader[int, list[InvoiceLine]](load_fn=self._lines)
        self.taxes = DataLoader[int, list[InvoiceTax]](load_fn=self._taxes)
        self.allocations = DataLoader[int, list[PaymentAllocation]](load_fn=self._allocations)
        self.charge_in_flight = DataLoader[int, bool](load_fn=self._charges_in_flight)
        self.run_errors = DataLoader[int, list[RunError]](load_fn=self._run_errors)
        self.services = DataLoader[int, list[Service]](load_fn=self._services)
        self.pending_charges = DataLoader[int, list[Charge]](load_fn=self._pending_charges)
        self.invoice = DataLoader[int, Invoice | None](load_fn=self._invoices)
        self.invoice_line = DataLoader[int, InvoiceLine | None](load_fn=self._invoice_lines)
        self.credit_notes = DataLoader[int, list[CreditNote]](load_fn=self._credit_notes)
        self.credit_note_lines = DataLoader[int, list[CreditNoteLine]](
            load_fn=self._credit_note_lines
        )
        self.reminders = DataLoader[int, list[InvoiceReminder]](load_fn=self._reminders)
        self.run_invoices = DataLoader[RunPageKey, InvoicePage](load_fn=self._run_invoices)
        self.credited_on_line = DataLoader[int, int](load_fn=self._credited_on_lines)
        self.credit_balance = DataLoader[int, int](load_fn=self._credit_balances)
        self.balance_due = DataLoader[int, int](load_fn=self._balances_due)
        self.payment_allocations = DataLoader[int, list[PaymentAllocation]](
            load_fn=self._payment_allocations
        )
        self.payment = DataLoader[int, Payment | None](load_fn=self._payments)
        self.bank_entries = DataLoader[int, list[BankStatementEntry]](load_fn=self._bank_entries)
        # Keyed by the entry itself: the suggestions of every entry on a page are worked out
        # together, from the entries as they were read.
        self.bank_suggestions = DataLoader[BankStatementEntry, tuple[int, ...]](
            load_fn=self._bank_suggestions, cache_key_fn=lambda entry: entry.id
        )

    async def _payments(self, ids: list[int]) -> list[Payment | None]:
        rows = await Payment.filter(tenant_id=self.tenant_id, id__in=ids)
        return _one_per_key(ids, rows)

    async def _bank_entries(self, statement_ids: list[int]) -> list[list[BankStatementEntry]]:
        rows = await BankStatementEntry.filter(
            tenant_id=self.tenant_id, statement_id__in=statement_ids
        ).order_by("position")
        return _many_per_key(statement_ids, rows, "statement_id")

    async def _bank_suggestions(self, entries: list[BankStatementEntry]) -> list[tuple[int, ...]]:
        tenant = await Tenant.get(id=self.tenant_id)
        found = await suggested_invoice_ids(tenant, entries)
        return [found.get(entry.id, ()) for entry in entries]

    async def _clients(self, ids: list[int]) -> list[Client | None]:
        rows = await Client.filter(tenant_id=self.tenant_id, id__in=ids)
        return _one_per_key(ids, rows)

    async def _runs(self, ids: list[int]) -> list[InvoiceRun | None]:
        rows = await InvoiceRun.filter(tenant_id=self.tenant_id, id__in=ids)
        return _one_per_key(ids, rows)

    async def _lines(self, invoice_ids: list[int]) -> list[list[InvoiceLine]]:
        rows = await InvoiceLine.filter(
            tenant_id=self.tenant_id, invoice_id__in=invoice_ids
        ).order_by("invoice_id", "position", "id")
        return _many_per_key(invoice_ids, rows, "invoice_id")

    async def _invoices(self, ids: list[int]) -> list[Invoice | None]:
        rows = await Invoice.filter(tenant_id=self.tenant_id, id__in=ids)
        return _one_per_key(ids, rows)

    async def _invoice_lines(self, ids: list[int]) -> list[InvoiceLine | None]:
        rows = await InvoiceLine.filter(tenant_id=self.tenant_id, id__in=ids)
        return _one_per_key(ids, rows)

    async def _credit_notes(self, invoice_ids: list[int]) -> list[list[CreditNote]]:
        """Each invoice's credit notes, oldest first."""
        rows = await CreditNote.filter(
            tenant_id=self.tenant_id, invoice_id__in=invoice_ids
        ).order_by("invoice_id", "id")
        return _many_per_key(invoice_ids, rows, "invoice_id")

    async def _taxes(self, invoice_ids: list[int]) -> list[list[InvoiceTax]]:
        """Each invoice's tax breakdown, in the order it was worked out."""
        rows = await InvoiceTax.filter(
            tenant_id=self.tenant_id, invoice_id__in=invoice_ids
        ).order_by("invoice_id", "id")
        return _many_per_key(invoice_ids, rows, "invoice_id")

    async def _credit_note_lines(self, credit_note_ids: list[int]) -> list[list[CreditNoteLine]]:
        rows = await CreditNoteLine.filter(
            tenant_id=self.tenant_id, credit_note_id__in=credit_note_ids
        ).order_by("credit_note_id", "position", "id")
        return _many_per_key(credit_note_ids, rows, "credit_note_id")

    async def _credited_on_lines(self, invoice_line_ids: list[int]) -> list[int]:
        """What credit notes have credited on each invoice line, in minor units."""
        credited: dict[int, int] = defaultdict(int)
        rows = await CreditNoteLine.filter(
            tenant_id=self.tenant_id, invoice_line_id__in=invoice_line_ids
        ).values_list("invoice_line_id", "amount_cents")
        for line_id, amount in rows:
            credited[line_id] += amount
        return [credited[line_id] for line_id in invoice_line_ids]

    async def _reminders(self, invoice_ids: list[int]) -> list[list[InvoiceReminder]]:
        """Each invoice's reminders really sent, first level first."""
        rows = await InvoiceReminder.filter(
            tenant_id=self.tenant_id, invoice_id__in=invoice_ids, sent_at__isnull=False
        ).order_by("invoice_id", "level")
        return _many_per_key(invoice_ids, rows, "invoice_id")

    async def _allocations(self, invoice_ids: list[int]) -> list[list[PaymentAllocation]]:
        """Allocations with their payment (for its date and method), oldest payment first."""
        rows = (
            await PaymentAllocation.filter(tenant_id=self.tenant_id, invoice_id__in=invoice_ids)
            .select_related("payment")
            .order_by("invoice_id", "payment__paid_on", "id")
        )
        return _many_per_key(invoice_ids, rows, "invoice_id")

    async def _payment_allocations(self, payment_ids: list[int]) -> list[list[PaymentAllocation]]:
        """Each payment's allocations (with the payment, as the invoice's list has it), in the
        order they were made."""
        rows = (
            await PaymentAllocation.filter(tenant_id=self.tenant_id, payment_id__in=payment_ids)
            .select_related("payment")
            .order_by("payment_id", "id")
        )
        return _many_per_key(payment_ids, rows, "payment_id")

    async def _credit_balances(self, client_ids: list[int]) -> list[int]:
        """Each client's credit balance in minor units, the clients' rows read in one query (the
        keys come from clients of this tenant)."""
        held = await credit_balances(client_ids)
        return [held.get(client_id, 0) for client_id in client_ids]

    async def _balances_due(self, client_ids: list[int]) -> list[int]:
        due = await balances_due(client_ids)
        return [due.get(client_id, 0) for client_id in client_ids]

    async def _charges_in_flight(self, invoice_ids: list[int]) -> list[bool]:
        busy = set(
            await ChargeAttempt.filter(
                tenant_id=self.tenant_id,
                invoice_id__in=invoice_ids,
                status=ChargeAttemptStatus.IN_FLIGHT,
            ).values_list("invoice_id", flat=True)
        )
        return [invoice_id in busy for invoice_id in invoice_ids]

    async def _run_errors(self, run_ids: list[int]) -> list[list[RunError]]:
        rows = await RunError.filter(tenant_id=self.tenant_id, run_id__in=run_ids).order_by(
            "run_id", "id"
        )
        return _many_per_key(run_ids, rows, "run_id")

    async def _services(self, client_ids: list[int]) -> list[list[Service]]:
        rows = await Service.filter(tenant_id=self.tenant_id, client_id__in=client_ids).order_by(
            "client_id", "next_bill_date", "id"
        )
        return _many_per_key(client_ids, rows, "client_id")

    async def _pending_charges(self, client_ids: list[int]) -> list[list[Charge]]:
        rows = await Charge.filter(
            tenant_id=self.tenant_id, client_id__in=client_ids, status=ChargeStatus.PENDING
        ).order_by("client_id", "scheduled_on", "id")
        return _many_per_key(client_ids, rows, "client_id")

    async def _run_invoices(self, keys: list[RunPageKey]) -> list[InvoicePage]:
        """Each asked page once, however many invoices of a list share the run (the loader
        gives every repeat of a key the same page)."""
        return [
            await invoice_page(
                self.tenant_id,
                InvoiceListFilter(run_id=key.run_id),
                first=key.first,
                after=key.after,
            )
            for key in keys
        ]
