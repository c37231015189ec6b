"""The records the pages show, and the few facts the pages derive from them.

The records are the typed models generated from `schema.graphql` and the operations in
`dashboard/queries` (`dashboard.graphql_client`): money arrives as `Decimal`, dates and instants
parsed, statuses as enums. A schema change that breaks an operation fails
`tests/dashboard/test_graphql_client.py`, not a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from dashboard.graphql_client import (
    ActionState,
    AgingReport,
    BankEntry,
    BankEntryDirection,
    BankEntryStatus,
    BankStatementDetail,
    BankStatementFormat,
    BankStatementSummary,
    BlockedReason,
    Client,
    ClientAccount,
    ClientReceivables,
    ClientService,
    CreditableInvoice,
    CreditNote,
    CreditNotePage,
    CreditNoteSettlement,
    Invoice,
    InvoiceDetail,
    InvoiceKpis,
    InvoiceLine,
    InvoicePage,
    InvoiceRun,
    InvoiceRunStatus,
    InvoiceSettings,
    InvoiceSort,
    InvoiceSortField,
    InvoiceStatus,
    InvoiceTrends,
    OverdueInvoice,
    Payment,
    PaymentMethod,
    PaymentPage,
    PaymentStatus,
    PendingCharge,
    RunPlan,
    SortDirection,
    StatementEntry,
    StatementEntryKind,
    UserError,
    Viewer,
)
from dashboard.graphql_client import (
    FetchBankEntrySuggestionsBankStatementEntriesSuggestedInvoices as SuggestedInvoice,
)
from dashboard.graphql_client import FetchRunPreviewInvoiceRunPreview as RunPreview
from dashboard.graphql_client.fetch_client_receivables import (
    FetchClientReceivablesClientStatement as Statement,
)

__all__ = [
    "ActionState",
    "AgingReport",
    "BankEntry",
    "BankEntryDirection",
    "BankEntryStatus",
    "BankStatementDetail",
    "BankStatementFormat",
    "BankStatementSummary",
    "BlockedReason",
    "Client",
    "ClientAccount",
    "ClientReceivables",
    "ClientService",
    "CreditNote",
    "CreditNotePage",
    "CreditNoteSettlement",
    "CreditableInvoice",
    "Invoice",
    "InvoiceDetail",
    "InvoiceKpis",
    "InvoiceLine",
    "InvoicePage",
    "InvoiceRun",
    "InvoiceRunStatus",
    "InvoiceSettings",
    "InvoiceSort",
    "InvoiceSortField",
    "InvoiceStatus",
    "InvoiceTrends",
    "MutationResult",
    "OverdueInvoice",
    "Payment",
    "PaymentMethod",
    "PaymentPage",
    "PaymentStatus",
    "PendingCharge",
    "RunPlan",
    "RunPreview",
    "SortDirection",
    "Statement",
    "StatementEntry",
    "StatementEntryKind",
    "SuggestedInvoice",
    "UserError",
    "Viewer",
    "blocked_label",
    "can_change_settings",
    "can_edit",
    "invoices_on",
    "is_development",
    "is_working",
    "run_progress",
    "run_status_label",
]

T = TypeVar("T")

EDIT_PERMISSION = "billing.edit"
SETTINGS_PERMISSION = "billing.settings"
# The statuses in which the workers are still on a run, and those in which a run keeps the tenant
# from starting another: working, or awaiting review (the API's RUN_IN_PROGRESS rule; a test holds
# the two together).
WORKING_RUN_STATUSES = frozenset({InvoiceRunStatus.QUEUED, InvoiceRunStatus.RUNNING})
ACTIVE_RUN_STATUSES = WORKING_RUN_STATUSES | {InvoiceRunStatus.AWAITING_REVIEW}


def can_edit(viewer: Viewer) -> bool:
    return EDIT_PERMISSION in viewer.permissions


def can_change_settings(viewer: Viewer) -> bool:
    """True where the viewer may change Settings → Invoices."""
    return SETTINGS_PERMISSION in viewer.permissions


def blocked_label(reason: BlockedReason | None) -> str:
    """'Blocked by hand' or 'Blocked: overdue past grace'."""
    if reason is BlockedReason.OVERDUE:
        return "Blocked: overdue past grace"
    return "Blocked by hand"


def is_development(viewer: Viewer) -> bool:
    return viewer.environment == "development"


def invoices_on(page: InvoicePage) -> list[Invoice]:
    """The invoices of one page of an invoice list, in the server's order."""
    return [edge.node for edge in page.edges]


def is_working(run: InvoiceRun) -> bool:
    """True while the workers are still on the run."""
    return run.status in WORKING_RUN_STATUSES


def is_active(run: InvoiceRun) -> bool:
    """True while the run keeps the tenant from starting another."""
    return run.status in ACTIVE_RUN_STATUSES


def run_status_label(status: InvoiceRunStatus) -> str:
    """'Completed with errors', 'Awaiting review'."""
    return status.value.replace("_", " ").capitalize()


def run_progress(run: InvoiceRun) -> float:
    """The share of clients processed, from 0 to 1."""
    if not is_working(run):
        return 1.0
    if run.clients_total == 0:
        return 0.0
    return min(1.0, run.clients_processed / run.clients_total)


@dataclass(frozen=True, slots=True)
class MutationResult(Generic[T]):
    """What a mutation returned: its value, or the business errors that refused it."""

    value: T | None
    errors: list[UserError]

    @property
    def ok(self) -> bool:
        return not self.errors and self.value is not None

    @property
    def message(self) -> str:
        return " ".join(error.message for error in self.errors)
