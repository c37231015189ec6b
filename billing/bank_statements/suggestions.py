"""Suggestions for UNMATCHED entries, worked out when they are read: open invoices change, so
a suggestion stored at import would go stale.

For any number of entries at once, the index is read set-at-a-time (`open_invoices.py`): the
invoices the texts name, the few oldest per amount, the clients with open invoices (for the
counterparties' names) and the open invoices of the clients named. The matcher then ranks them:
of a named client with the entry's amount, of a named client, of anyone with the amount. An
entry in another currency gets none: it cannot be matched to an invoice of this tenant.
"""

from __future__ import annotations

from collections.abc import Sequence

from billing.bank_statements.matching import (
    ClientNames,
    EntryStatus,
    OpenInvoiceIndex,
    candidate_amounts,
    match_entry,
)
from billing.bank_statements.model import BankEntry
from billing.bank_statements.open_invoices import (
    distinct,
    names_of_clients_owing,
    numbered_in,
    oldest_open_invoices_by_balance,
    open_invoices_of_clients,
)
from billing.bank_statements.storing import as_bank_entry
from orm.db import connection
from orm.models import BankStatementEntry, Tenant


async def suggested_invoice_ids(
    tenant: Tenant, rows: Sequence[BankStatementEntry]
) -> dict[int, tuple[int, ...]]:
    """For each UNMATCHED entry in the tenant's currency among `rows`, the ids of the open
    invoices to suggest, best first; other entries are left out."""
    currency = tenant.currency.upper()
    waiting = [
        row for row in rows if row.status is EntryStatus.UNMATCHED and row.currency == currency
    ]
    if not waiting:
        return {}
    conn = connection()
    entries = [as_bank_entry(row) for row in waiting]
    named = await numbered_in(conn, tenant, entries)
    by_amount = await oldest_open_invoices_by_balance(
        conn, tenant.id, currency, candidate_amounts(entries, currency)
    )
    names = ClientNames(await names_of_clients_owing(conn, tenant.id, currency))
    clients = set().union(*(names.named_in(entry.counterparty) for entry in entries))
    of_clients = await open_invoices_of_clients(conn, tenant.id, currency, clients)
    index = OpenInvoiceIndex(distinct([*named, *by_amount, *of_clients]))
    return {
        row.id: _suggestions(index, entry, currency)
        for row, entry in zip(waiting, entries, strict=True)
    }


def _suggestions(index: OpenInvoiceIndex, entry: BankEntry, currency: str) -> tuple[int, ...]:
    match = match_entry(entry, index, currency)
    if match.status is EntryStatus.MATCHED:
        # It names open invoices of one client now (issued since the import): those first.
        return match.invoice_ids
    return match.suggested_invoice_ids
