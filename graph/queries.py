"""The Query type: thin resolvers over billing's read side, all within the viewer's tenant."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

import strawberry
from tortoise.models import Model

from billing.bank_statements.listing import statements_newest_first
from billing.collections.aging_report import aging_report
from billing.collections.listing import blocked_clients, overdue_invoices
from billing.credit_notes.listing import CreditNoteListFilter, credit_note_page
from billing.dates import today_in
from billing.errors import BillingRuleError
from billing.invoices.kpis import invoice_kpis
from billing.invoices.lifecycle import InvoiceStatus as StoredInvoiceStatus
from billing.invoices.listing import (
    InvoiceListFilter,
    InvoiceOrder,
    InvoiceSortKey,
    clients_for_picker,
    invoice_page,
    runs_newest_first,
)
from billing.invoices.trends import MAX_MONTHS, monthly_trends
from billing.payments.listing import PaymentListFilter, payment_page
from billing.runs.planning import plan_invoice_run
from billing.runs.preview import preview_run
from billing.text import unstorable_text
from graph.context import Info
from graph.errors import ClientError, InvalidInput, NotFound
from graph.ids import parse_id
from graph.pagination import (
    bank_statement_position,
    check_first,
    credit_note_position,
    invoice_position,
    payment_position,
    run_position,
)
from graph.permissions import CanViewBilling
from graph.scalars import money_input
from graph.types.bank_statement import BankStatement, BankStatementConnection
from graph.types.client import Client
from graph.types.collections import AgingReport
from graph.types.credit_note import CreditNote, CreditNoteConnection
from graph.types.enums import InvoiceSortField, InvoiceStatus, SortDirection
from graph.types.invoice import Invoice, InvoiceConnection
from graph.types.kpis import InvoiceKpis
from graph.types.payment import Payment, PaymentConnection
from graph.types.plan import InvoiceRunPlan
from graph.types.run import InvoiceRun, InvoiceRunConnection
from graph.types.run_preview import InvoiceRunPreview
from graph.types.settings import InvoiceSettings
from graph.types.trends import InvoiceTrends
from graph.types.viewer import Viewer
from orm import models


@strawberry.input
class InvoiceFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Live search: a case-insensitive substring of the invoice number or of the "
        "client's name.",
    )
    statuses: list[InvoiceStatus] | None = strawberry.field(
        default=None, description="Any of these statuses; null or empty: every status."
    )
    client_id: strawberry.ID | None = None
    run_id: strawberry.ID | None = None
    issued_from: date | None = strawberry.field(
        default=None, description="Issued on or after this day."
    )
    issued_to: date | None = strawberry.field(
        default=None, description="Issued on or before this day."
    )
    due_from: date | None = strawberry.field(default=None, description="Due on or after this day.")
    due_to: date | None = strawberry.field(default=None, description="Due on or before this day.")
    overdue_only: bool | None = strawberry.field(
        default=None,
        description="true: only invoices overdue in the tenant's today (Invoice.overdue).",
    )
    total_min: Decimal | None = strawberry.field(
        default=None, description="Total at least this much, in the tenant's currency."
    )
    total_max: Decimal | None = strawberry.field(
        default=None, description="Total at most this much, in the tenant's currency."
    )


@strawberry.input(description="The invoice list's order; the invoice id breaks ties.")
class InvoiceSort:
    field: InvoiceSortField
    direction: SortDirection = SortDirection.ASC


Row = TypeVar("Row", bound=Model)

MAX_SEARCH_LENGTH = 200
# Every status once, with room for repeats; a longer list is a mistake or an attack.
MAX_STATUSES = 20


async def tenant_row(model: type[Row], info: Info, id: strawberry.ID) -> Row | None:
    """The viewer's tenant's row with this id; None for a malformed id or another tenant's."""
    row_id = parse_id(id)
    if row_id is None:
        return None
    return await model.get_or_none(id=row_id, tenant_id=info.context.tenant.id)


def _optional_id(value: strawberry.ID | None) -> tuple[int | None, bool]:
    """(the id, whether it can name a row at all); an unusable id matches nothing."""
    if value is None:
        return None, True
    parsed = parse_id(value)
    return parsed, parsed is not None


def _search(value: str | None) -> str | None:
    """The search as given; refused where it is longer than a name or number could match, or
    where the database could not compare it with stored text."""
    if value is None:
        return None
    if len(value) > MAX_SEARCH_LENGTH:
        raise InvalidInput(
            f"`search` must be at most {MAX_SEARCH_LENGTH} characters; {len(value)} were given.",
            field="search",
        )
    if problem := unstorable_text(value):
        raise InvalidInput(f"`search` {problem}.", field="search")
    return value


def _statuses(given: list[InvoiceStatus] | None) -> list[StoredInvoiceStatus]:
    if given is not None and len(given) > MAX_STATUSES:
        raise InvalidInput(
            f"`statuses` may hold at most {MAX_STATUSES} statuses; {len(given)} were given.",
            field="statuses",
        )
    return [StoredInvoiceStatus(status.value) for status in dict.fromkeys(given or [])]


def _list_filter(given: InvoiceFilter | None, info: Info) -> InvoiceListFilter | None:
    """The billing filter, or None where an id in it names no row (so nothing matches)."""
    if given is None:
        return InvoiceListFilter()
    client_id, client_ok = _optional_id(given.client_id)
    run_id, run_ok = _optional_id(given.run_id)
    if not (client_ok and run_ok):
        return None
    _check_range(given.issued_from, given.issued_to, "issuedTo")
    _check_range(given.due_from, given.due_to, "dueTo")
    currency = info.context.tenant.currency
    total_min = (
        None if given.total_min is None else money_input(given.total_min, currency, "totalMin")
    )
    total_max = (
        None if given.total_max is None else money_input(given.total_max, currency, "totalMax")
    )
    _check_range(total_min, total_max, "totalMax")
    return InvoiceListFilter(
        search=_search(given.search),
        statuses=_statuses(given.statuses),
        client_id=client_id,
        run_id=run_id,
        issued_from=given.issued_from,
        issued_to=given.issued_to,
        due_from=given.due_from,
        due_to=given.due_to,
        overdue_on=info.context.today if given.overdue_only else None,
        total_min_cents=total_min,
        total_max_cents=total_max,
    )


def _check_range(low: date | int | None, high: date | int | None, field: str) -> None:
    """A range whose end comes before its start matches nothing: refused, as a mistake."""
    if low is not None and high is not None and high < low:
        raise InvalidInput(f"`{field}` comes before the start of its range.", field=field)


def _order(given: InvoiceSort | None) -> InvoiceOrder:
    if given is None:
        return InvoiceOrder()
    return InvoiceOrder(
        key=InvoiceSortKey(given.field.value), descending=given.direction is SortDirection.DESC
    )


@strawberry.input
class CreditNoteFilter:
    client_id: strawberry.ID | None = None
    invoice_id: strawberry.ID | None = None


def _credit_note_filter(given: CreditNoteFilter | None) -> CreditNoteListFilter | None:
    """The billing filter, or None where an id in it names no row (so nothing matches)."""
    if given is None:
        return CreditNoteListFilter()
    client_id, client_ok = _optional_id(given.client_id)
    invoice_id, invoice_ok = _optional_id(given.invoice_id)
    if not (client_ok and invoice_ok):
        return None
    return CreditNoteListFilter(client_id=client_id, invoice_id=invoice_id)


@strawberry.input
class PaymentFilter:
    client_id: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None,
        description="Case-insensitive substring of the reference or of the client's name.",
    )


def _payment_filter(given: PaymentFilter | None) -> PaymentListFilter | None:
    """The billing filter, or None where the client id names no row (so nothing matches)."""
    if given is None:
        return PaymentListFilter()
    client_id, client_ok = _optional_id(given.client_id)
    if not client_ok:
        return None
    return PaymentListFilter(client_id=client_id, search=_search(given.search))


@strawberry.type
class Query:
    @strawberry.field(
        description="Who is calling. Open to every authenticated user, so a client can tell a "
        "missing permission from a missing token."
    )
    def viewer(self, info: Info) -> Viewer:
        return Viewer.of(info.context.authenticated_viewer, info.context.settings)

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="Invoices of the tenant, newest issue date first, then highest id first; "
        "or in the `sort` order given (a cursor is valid under its own order only).",
    )
    async def invoices(
        self,
        info: Info,
        filter: InvoiceFilter | None = None,
        first: int = 50,
        after: str | None = None,
        sort: InvoiceSort | None = None,
    ) -> InvoiceConnection:
        check_first(first)
        order = _order(sort)
        position = invoice_position(after, order)
        list_filter = _list_filter(filter, info)
        if list_filter is None:
            return InvoiceConnection.empty()
        page = await invoice_page(
            info.context.tenant.id, list_filter, first=first, after=position, order=order
        )
        return InvoiceConnection.from_page(page, order)

    @strawberry.field(permission_classes=[CanViewBilling])
    async def invoice(self, info: Info, id: strawberry.ID) -> Invoice | None:
        invoice = await tenant_row(models.Invoice, info, id)
        return Invoice.from_model(invoice) if invoice else None

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="One client of the tenant (the client billing view); null when not found.",
    )
    async def client(self, info: Info, id: strawberry.ID) -> Client | None:
        client = await tenant_row(models.Client, info, id)
        return Client.from_model(client) if client else None

    @strawberry.field(
        permission_classes=[CanViewBilling], description="The KPI cards of the overview page."
    )
    async def invoice_kpis(self, info: Info) -> InvoiceKpis:
        tenant = info.context.tenant
        return InvoiceKpis.from_kpis(await invoice_kpis(tenant.id), tenant.currency)

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="The overview's charts: invoiced and collected per month for the `months` "
        "months ending with the tenant's current one (1 to 36), and this month's change.",
    )
    async def invoice_trends(self, info: Info, months: int = 12) -> InvoiceTrends:
        if not 1 <= months <= MAX_MONTHS:
            raise InvalidInput(
                f"`months` must be between 1 and {MAX_MONTHS}; {months} was given.", field="months"
            )
        tenant = info.context.tenant
        figures = await monthly_trends(tenant.id, info.context.today, months)
        return InvoiceTrends.from_trends(figures, tenant.currency)

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="Clients for the run page's client picker; search matches the name, "
        "case-insensitively.",
    )
    async def clients(self, info: Info, search: str | None = None, first: int = 20) -> list[Client]:
        check_first(first)
        clients = await clients_for_picker(info.context.tenant.id, _search(search), first)
        return [Client.from_model(client) for client in clients]

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="The date logic of the bulk-run page for the given (or default) billing "
        "date and optional client.",
    )
    async def invoice_run_plan(
        self, info: Info, billing_date: date | None = None, client_id: strawberry.ID | None = None
    ) -> InvoiceRunPlan:
        parsed_client_id, usable = _optional_id(client_id)
        if not usable:
            raise NotFound("No such client.", field="clientId")
        try:
            plan = await plan_invoice_run(
                info.context.tenant, billing_date=billing_date, client_id=parsed_client_id
            )
        except BillingRuleError as error:
            raise ClientError.from_rule(error) from error
        return InvoiceRunPlan.from_plan(plan)

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="The dry run of the bulk-run page: the clients and amounts a run for the "
        "given (or default) billing date and optional client would bill now.",
    )
    async def invoice_run_preview(
        self, info: Info, billing_date: date | None = None, client_id: strawberry.ID | None = None
    ) -> InvoiceRunPreview:
        parsed_client_id, usable = _optional_id(client_id)
        if not usable:
            raise NotFound("No such client.", field="clientId")
        tenant = info.context.tenant
        try:
            plan = await plan_invoice_run(
                tenant, billing_date=billing_date, client_id=parsed_client_id
            )
        except BillingRuleError as error:
            raise ClientError.from_rule(error) from error
        preview = await preview_run(tenant, plan.dates.run_date, parsed_client_id)
        return InvoiceRunPreview.from_preview(preview, tenant.currency)

    @strawberry.field(permission_classes=[CanViewBilling])
    async def invoice_run(self, info: Info, id: strawberry.ID) -> InvoiceRun | None:
        run = await tenant_row(models.InvoiceRun, info, id)
        return InvoiceRun.from_model(run) if run else None

    @strawberry.field(
        permission_classes=[CanViewBilling], description="Runs of the tenant, newest first."
    )
    async def invoice_runs(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> InvoiceRunConnection:
        check_first(first)
        runs, has_next_page = await runs_newest_first(
            info.context.tenant.id, first=first, before_id=run_position(after)
        )
        return InvoiceRunConnection.from_runs(runs, has_next_page)

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="Settings → Invoices: what the run page, the documents and collections follow.",
    )
    def invoice_settings(self, info: Info) -> InvoiceSettings:
        return InvoiceSettings.from_model(info.context.tenant)

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="Open balances of issued invoices by days past due, as of today in the "
        "tenant's timezone.",
    )
    async def aging_report(self, info: Info) -> AgingReport:
        return AgingReport.from_report(await aging_report(info.context.tenant))

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="Issued invoices past their due date with a balance, as of today in the "
        "tenant's timezone, oldest due date first (the collections view).",
    )
    async def overdue_invoices(self, info: Info, first: int = 50) -> list[Invoice]:
        check_first(first)
        tenant = info.context.tenant
        invoices = await overdue_invoices(tenant.id, today_in(tenant.timezone), first)
        return [Invoice.from_model(invoice) for invoice in invoices]

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="Blocked clients, by name: blockedReason says by whom (the collections view).",
    )
    async def blocked_clients(self, info: Info, first: int = 100) -> list[Client]:
        check_first(first)
        clients = await blocked_clients(info.context.tenant.id, first)
        return [Client.from_model(client) for client in clients]

    @strawberry.field(permission_classes=[CanViewBilling])
    async def credit_note(self, info: Info, id: strawberry.ID) -> CreditNote | None:
        note = await tenant_row(models.CreditNote, info, id)
        return CreditNote.from_model(note) if note else None

    @strawberry.field(
        permission_classes=[CanViewBilling], description="Credit notes of the tenant, newest first."
    )
    async def credit_notes(
        self,
        info: Info,
        filter: CreditNoteFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> CreditNoteConnection:
        check_first(first)
        before_id = credit_note_position(after)
        list_filter = _credit_note_filter(filter)
        if list_filter is None:
            return CreditNoteConnection.empty()
        page = await credit_note_page(
            info.context.tenant.id, list_filter, first=first, before_id=before_id
        )
        return CreditNoteConnection.from_page(page)

    @strawberry.field(permission_classes=[CanViewBilling])
    async def payment(self, info: Info, id: strawberry.ID) -> Payment | None:
        payment = await tenant_row(models.Payment, info, id)
        return Payment.from_model(payment) if payment else None

    @strawberry.field(
        permission_classes=[CanViewBilling],
        description="Payments of the tenant, newest receivedOn first, then highest id first.",
    )
    async def payments(
        self,
        info: Info,
        filter: PaymentFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> PaymentConnection:
        check_first(first)
        position = payment_position(after)
        list_filter = _payment_filter(filter)
        if list_filter is None:
            return PaymentConnection.empty()
        page = await payment_page(info.context.tenant.id, list_filter, first=first, after=position)
        return PaymentConnection.from_page(page)

    @strawberry.field(permission_classes=[CanViewBilling])
    async def bank_statement(self, info: Info, id: strawberry.ID) -> BankStatement | None:
        statement = await tenant_row(models.BankStatement, info, id)
        return BankStatement.from_model(statement) if statement else None

    @strawberry.field(
        permission_classes=[CanViewBilling], description="Imported bank statements, newest first."
    )
    async def bank_statements(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> BankStatementConnection:
        check_first(first)
        statements, has_next_page = await statements_newest_first(
            info.context.tenant.id, first=first, before_id=bank_statement_position(after)
        )
        return BankStatementConnection.from_statements(statements, has_next_page)
