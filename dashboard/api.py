"""The dashboard's calls to the GraphQL API: one function per operation of `dashboard/queries`.

Each goes through the typed client generated from `schema.graphql` (`GraphQLClient`) and returns
its records (`dashboard.models`). A failure of the transport, the token or a permission raises
an `ApiError` whose text is fit to show as is; a business rule that refuses a mutation comes back
as values in a `MutationResult`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from dashboard.graphql_client import (
    ApplyCreditInput,
    BankEntryInput,
    BankStatementFormat,
    CreditNoteFilter,
    CreditNoteLineInput,
    DeleteInvoiceInput,
    GraphQLClient,
    ImportBankStatementInput,
    InvoiceFilter,
    InvoiceOutcome,
    InvoiceRunInput,
    InvoiceSort,
    IssueCreditNoteInput,
    MatchBankEntryInput,
    PaymentFilter,
    RecordPaymentInput,
    RefundPaymentInput,
    ReversePaymentInput,
    RunBulkInput,
    RunOutcome,
    SendInvoiceInput,
    SendReminderInput,
    SetClientBlockedInput,
    UpdateInvoiceSettingsInput,
    VoidInvoiceInput,
)
from dashboard.models import (
    AgingReport,
    BankEntry,
    BankStatementDetail,
    BankStatementSummary,
    Client,
    ClientAccount,
    ClientReceivables,
    CreditableInvoice,
    CreditNote,
    CreditNotePage,
    CreditNoteSettlement,
    Invoice,
    InvoiceDetail,
    InvoiceKpis,
    InvoicePage,
    InvoiceRun,
    InvoiceSettings,
    InvoiceTrends,
    MutationResult,
    OverdueInvoice,
    Payment,
    PaymentMethod,
    PaymentPage,
    RunPlan,
    RunPreview,
    Statement,
    SuggestedInvoice,
    Viewer,
    invoices_on,
)
from dashboard.transport import (
    ApiError,
    ApiUnreachable,
    InvalidRequest,
    NotFound,
    PermissionMissing,
    TokenRefused,
)

__all__ = [
    "DEFAULT_API_URL",
    "ApiError",
    "ApiUnreachable",
    "GraphQLClient",
    "InvalidRequest",
    "NotFound",
    "PermissionMissing",
    "TokenRefused",
]

DEFAULT_API_URL = "http://127.0.0.1:8000/graphql"
# The server refuses a larger `first`.
MAX_PAGE_SIZE = 200


def fetch_viewer(api: GraphQLClient) -> Viewer:
    """Who the token belongs to: name, tenant, permissions, environment and currency."""
    return api.fetch_viewer().viewer


def fetch_kpis(api: GraphQLClient) -> InvoiceKpis:
    """The KPI cards and the totals by status."""
    return api.fetch_kpis().invoice_kpis


def invoice_filter(
    search: str | None = None, client_id: str | None = None, run_id: str | None = None
) -> dict[str, Any]:
    """An `InvoiceFilter` input with only the parts given, as the API names them."""
    parts = {"search": search or None, "clientId": client_id, "runId": run_id}
    return {name: value for name, value in parts.items() if value is not None}


def fetch_invoice_page(
    api: GraphQLClient,
    *,
    criteria: Mapping[str, Any] | None = None,
    first: int = 25,
    after: str | None = None,
    sort: InvoiceSort | None = None,
) -> InvoicePage:
    """One page of the tenant's invoices in `sort` order (newest first where None), cut by the
    server."""
    criteria_filter = InvoiceFilter.model_validate(dict(criteria or {}))
    # Without a sort the argument is left out: the server's own order, newest first.
    ordered = {"sort": sort} if sort is not None else {}
    return api.fetch_invoice_page(
        filter_=criteria_filter, first=first, after=after, **ordered
    ).invoices


def fetch_invoice_detail(api: GraphQLClient, invoice_id: str) -> InvoiceDetail:
    """One invoice with its lines, taxes, credit notes, payments and run."""
    invoice = api.fetch_invoice_detail(id=invoice_id).invoice
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} does not exist.")
    return invoice


def fetch_trends(api: GraphQLClient, months: int = 12) -> InvoiceTrends:
    """Invoiced and collected per month, the current month last, and its change."""
    return api.fetch_trends(months=months).invoice_trends


def iter_invoices(
    api: GraphQLClient,
    *,
    criteria: Mapping[str, Any] | None = None,
    sort: InvoiceSort | None = None,
) -> Iterator[Invoice]:
    """Every invoice matching `criteria`, fetched page by page in `sort` order."""
    after: str | None = None
    while True:
        page = fetch_invoice_page(
            api, criteria=criteria, first=MAX_PAGE_SIZE, after=after, sort=sort
        )
        yield from invoices_on(page)
        if not page.page_info.has_next_page:
            return
        after = page.page_info.end_cursor


def search_clients(api: GraphQLClient, search: str | None = None, first: int = 20) -> list[Client]:
    """Clients whose name contains `search` (case-insensitive), for a picker."""
    return list(api.search_clients(search=search or None, first=first).clients)


def fetch_run_plan(
    api: GraphQLClient, *, billing_date: date | None = None, client_id: str | None = None
) -> RunPlan:
    """Run date, due and grace dates, the lock, the safety lock and the number of clients for a
    run started now."""
    return api.fetch_run_plan(billing_date=billing_date, client_id=client_id).invoice_run_plan


def fetch_run_preview(
    api: GraphQLClient, *, billing_date: date | None = None, client_id: str | None = None
) -> RunPreview:
    """The dry run: the clients, invoices and amounts a run for the date (and client) would
    bill now, decided by the run's own rules."""
    return api.fetch_run_preview(billing_date=billing_date, client_id=client_id).invoice_run_preview


def fetch_client(api: GraphQLClient, client_id: str) -> Client:
    """One client by id (raises `NotFound` for an id the tenant does not have)."""
    plan = fetch_run_plan(api, client_id=client_id)
    if plan.client is None:
        raise NotFound("No such client.")
    return plan.client


def fetch_run(api: GraphQLClient, run_id: str) -> InvoiceRun:
    """A run's status, progress, totals and errors."""
    run = api.fetch_run(id=run_id).invoice_run
    if run is None:
        raise NotFound(f"Run {run_id} does not exist.")
    return run


def fetch_run_invoices(
    api: GraphQLClient, run_id: str, *, first: int = 25, after: str | None = None
) -> InvoicePage:
    """One page of the invoices a run made (its drafts while it awaits review)."""
    run = api.fetch_run_invoices(id=run_id, first=first, after=after).invoice_run
    if run is None:
        raise NotFound(f"Run {run_id} does not exist.")
    return run.invoices


def fetch_recent_runs(api: GraphQLClient, first: int = 10) -> list[InvoiceRun]:
    """The tenant's latest runs, newest first."""
    return [edge.node for edge in api.fetch_recent_runs(first=first).invoice_runs.edges]


def start_run(
    api: GraphQLClient,
    *,
    billing_date: date | None,
    client_id: str | None = None,
    review: bool | None = None,
) -> MutationResult[InvoiceRun]:
    """Queue a run; the workers process it (follow it with `fetch_run`)."""
    run_input = RunBulkInput(billing_date=billing_date, client_id=client_id, review=review)
    payload = api.start_run(input=run_input).run_bulk
    return MutationResult(payload.run, list(payload.errors))


def void_invoice(
    api: GraphQLClient, invoice_id: str, *, reset_service_schedule: bool, reason: str | None
) -> MutationResult[Invoice]:
    """Void an unpaid invoice, optionally moving its services' schedule back for re-issue."""
    void_input = VoidInvoiceInput(
        id=invoice_id, reset_service_schedule=reset_service_schedule, reason=reason or None
    )
    return invoice_outcome(api.void_invoice(input=void_input).void_invoice)


def send_invoice(api: GraphQLClient, invoice_id: str) -> MutationResult[Invoice]:
    """Email the invoice to its client now."""
    return invoice_outcome(api.send_invoice(input=SendInvoiceInput(id=invoice_id)).send_invoice)


def delete_invoice(api: GraphQLClient, invoice_id: str) -> MutationResult[str]:
    """Remove the invoice for good (the API allows it in development only)."""
    payload = api.delete_invoice(input=DeleteInvoiceInput(id=invoice_id)).delete_invoice
    return MutationResult(payload.deleted_id, list(payload.errors))


def finalize_run(api: GraphQLClient, run_id: str) -> MutationResult[InvoiceRun]:
    """Issue the drafts of a run awaiting review."""
    return run_outcome(api.finalize_run(input=InvoiceRunInput(run_id=run_id)).finalize_invoice_run)


def discard_run(api: GraphQLClient, run_id: str) -> MutationResult[InvoiceRun]:
    """Throw away the drafts of a run awaiting review."""
    return run_outcome(api.discard_run(input=InvoiceRunInput(run_id=run_id)).discard_invoice_run)


def invoice_outcome(outcome: InvoiceOutcome) -> MutationResult[Invoice]:
    """A mutation's invoice as it now stands, or the errors that refused the change."""
    return MutationResult(outcome.invoice, list(outcome.errors))


def run_outcome(outcome: RunOutcome) -> MutationResult[InvoiceRun]:
    """A mutation's run as it now stands, or the errors that refused the change."""
    return MutationResult(outcome.run, list(outcome.errors))


def fetch_client_account(api: GraphQLClient, client_id: str) -> ClientAccount:
    """The client's services (next to bill first) and pending one-time charges."""
    account = api.fetch_client_account(client_id=client_id).client
    if account is None:
        raise NotFound("No such client.")
    return account


def fetch_invoice_settings(api: GraphQLClient) -> InvoiceSettings:
    """Settings → Invoices as they stand."""
    return api.fetch_invoice_settings().invoice_settings


def update_invoice_settings(
    api: GraphQLClient, changes: Mapping[str, Any]
) -> MutationResult[InvoiceSettings]:
    """Change the settings named in `changes` (by their field names; None clears one); the
    others stay as they are."""
    settings_input = UpdateInvoiceSettingsInput(**changes)
    payload = api.update_invoice_settings(input=settings_input).update_invoice_settings
    return MutationResult(payload.settings, list(payload.errors))


def fetch_creditable_invoice(api: GraphQLClient, invoice_id: str) -> CreditableInvoice:
    """An invoice's lines and what credit notes have credited of it so far."""
    invoice = api.fetch_creditable_invoice(id=invoice_id).invoice
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} does not exist.")
    return invoice


def issue_credit_note(
    api: GraphQLClient,
    invoice_id: str,
    *,
    reason: str,
    line_amounts: Mapping[str, Decimal] | None,
    settlement: CreditNoteSettlement,
    reset_service_schedule: bool,
    idempotency_key: str,
) -> MutationResult[CreditNote]:
    """Credit the invoice: the whole of it (`line_amounts` None) or the net amount given per
    invoice line id. Repeated with the same `idempotency_key`, it issues one credit note."""
    lines = (
        None
        if line_amounts is None
        else [
            CreditNoteLineInput(invoice_line_id=line_id, amount=amount)
            for line_id, amount in line_amounts.items()
        ]
    )
    credit_input = IssueCreditNoteInput(
        invoice_id=invoice_id,
        reason=reason,
        lines=lines,
        settlement=settlement,
        reset_service_schedule=reset_service_schedule,
        idempotency_key=idempotency_key,
    )
    payload = api.issue_credit_note(input=credit_input).issue_credit_note
    return MutationResult(payload.credit_note, list(payload.errors))


def fetch_credit_note_page(
    api: GraphQLClient,
    *,
    criteria: Mapping[str, Any] | None = None,
    first: int = 25,
    after: str | None = None,
) -> CreditNotePage:
    """One page of the tenant's credit notes, newest first, cut by the server."""
    criteria_filter = CreditNoteFilter.model_validate(dict(criteria or {}))
    return api.fetch_credit_note_page(
        filter_=criteria_filter, first=first, after=after
    ).credit_notes


def fetch_aging_report(api: GraphQLClient) -> AgingReport:
    """Open balances by days past due, as of the tenant's today."""
    return api.fetch_aging_report().aging_report


def fetch_collections(
    api: GraphQLClient, first: int = MAX_PAGE_SIZE
) -> tuple[list[OverdueInvoice], list[Client]]:
    """The overdue invoices (oldest due first, with the reminders sent) and the blocked
    clients."""
    collections = api.fetch_collections(first=first)
    return list(collections.overdue_invoices), list(collections.blocked_clients)


def send_reminder(
    api: GraphQLClient, invoice_id: str, idempotency_key: str
) -> MutationResult[OverdueInvoice]:
    """Email a payment reminder for the invoice now; once per `idempotency_key`."""
    reminder_input = SendReminderInput(invoice_id=invoice_id, idempotency_key=idempotency_key)
    payload = api.send_reminder(input=reminder_input).send_reminder
    return MutationResult(payload.invoice, list(payload.errors))


def set_client_blocked(api: GraphQLClient, client_id: str, blocked: bool) -> MutationResult[Client]:
    """Block the client by hand, or lift its block."""
    block_input = SetClientBlockedInput(client_id=client_id, blocked=blocked)
    payload = api.set_client_blocked(input=block_input).set_client_blocked
    return MutationResult(payload.client, list(payload.errors))


def fetch_payment_page(
    api: GraphQLClient,
    *,
    criteria: Mapping[str, Any] | None = None,
    first: int = 25,
    after: str | None = None,
) -> PaymentPage:
    """One page of the tenant's payments (a PaymentFilter: clientId, search), newest received
    first, cut by the server."""
    criteria_filter = PaymentFilter.model_validate(dict(criteria or {}))
    return api.fetch_payment_page(filter_=criteria_filter, first=first, after=after).payments


def record_payment(
    api: GraphQLClient,
    client_id: str,
    *,
    amount: Decimal,
    received_on: date,
    method: PaymentMethod,
    reference: str | None,
    invoice_ids: list[str] | None,
    idempotency_key: str,
) -> MutationResult[Payment]:
    """Record money received from the client, allocated to `invoice_ids` in order (None: its
    open invoices oldest due first). Repeated with the same key, it records one payment."""
    payment_input = RecordPaymentInput(
        client_id=client_id,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference,
        invoice_ids=invoice_ids,
        idempotency_key=idempotency_key,
    )
    payload = api.record_payment(input=payment_input).record_payment
    return MutationResult(payload.payment, list(payload.errors))


def reverse_payment(api: GraphQLClient, payment_id: str, *, reason: str) -> MutationResult[Payment]:
    """Undo a payment that bounced: its allocations go, its invoices owe again."""
    payload = api.reverse_payment(
        input=ReversePaymentInput(payment_id=payment_id, reason=reason)
    ).reverse_payment
    return MutationResult(payload.payment, list(payload.errors))


def refund_payment(
    api: GraphQLClient, payment_id: str, *, amount: Decimal, idempotency_key: str
) -> MutationResult[Payment]:
    """Pay `amount` back out of the payment's unallocated part."""
    refund_input = RefundPaymentInput(
        payment_id=payment_id, amount=amount, idempotency_key=idempotency_key
    )
    payload = api.refund_payment(input=refund_input).refund_payment
    return MutationResult(payload.payment, list(payload.errors))


def apply_credit(api: GraphQLClient, client_id: str) -> MutationResult[ClientReceivables]:
    """Apply the client's credit balance to its open invoices, oldest due first."""
    payload = api.apply_credit(input=ApplyCreditInput(client_id=client_id)).apply_credit
    return MutationResult(payload.client, list(payload.errors))


def fetch_client_receivables(
    api: GraphQLClient, client_id: str, *, start: date | None = None, end: date | None = None
) -> tuple[ClientReceivables, Statement]:
    """The client's credit balance and balance due, and its statement from `start` to `end`."""
    client = api.fetch_client_receivables(client_id=client_id, from_=start, to=end).client
    if client is None:
        raise NotFound("No such client.")
    return client, client.statement


def fetch_bank_statements(api: GraphQLClient, first: int = 50) -> list[BankStatementSummary]:
    """The tenant's latest imported statements, newest first."""
    return [edge.node for edge in api.fetch_bank_statements(first=first).bank_statements.edges]


def fetch_bank_statement(api: GraphQLClient, statement_id: str) -> BankStatementDetail:
    """One statement with its entries (raises `NotFound` for an id the tenant does not have)."""
    statement = api.fetch_bank_statement(id=statement_id).bank_statement
    if statement is None:
        raise NotFound(f"Bank statement {statement_id} does not exist.")
    return statement


def fetch_bank_entry_suggestions(
    api: GraphQLClient, statement_id: str
) -> dict[str, list[SuggestedInvoice]]:
    """The open invoices suggested for each unmatched entry of the statement, by entry id."""
    statement = api.fetch_bank_entry_suggestions(id=statement_id).bank_statement
    if statement is None:
        raise NotFound(f"Bank statement {statement_id} does not exist.")
    return {entry.id: list(entry.suggested_invoices) for entry in statement.entries}


def import_bank_statement(
    api: GraphQLClient, content: str, statement_format: BankStatementFormat
) -> MutationResult[BankStatementSummary]:
    """Import a statement file's text; its entries naming open invoices become payments."""
    statement_input = ImportBankStatementInput(format=statement_format, content=content)
    payload = api.import_bank_statement(input=statement_input).import_bank_statement
    return MutationResult(payload.statement, list(payload.errors))


def match_bank_entry(
    api: GraphQLClient, entry_id: str, *, client_id: str, invoice_ids: list[str] | None
) -> MutationResult[BankEntry]:
    """Record an unmatched entry as a payment of the client: `invoice_ids` in order, or their
    open invoices oldest due first."""
    match_input = MatchBankEntryInput(
        entry_id=entry_id, client_id=client_id, invoice_ids=invoice_ids
    )
    payload = api.match_bank_entry(input=match_input).match_bank_entry
    return MutationResult(payload.entry, list(payload.errors))


def ignore_bank_entry(api: GraphQLClient, entry_id: str) -> MutationResult[BankEntry]:
    """Set an unmatched entry aside."""
    payload = api.ignore_bank_entry(input=BankEntryInput(entry_id=entry_id)).ignore_bank_entry
    return MutationResult(payload.entry, list(payload.errors))
