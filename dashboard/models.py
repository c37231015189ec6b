"""Typed records of what the GraphQL API answers, parsed from its JSON.

Money arrives as a decimal string and stays `Decimal`; dates and instants are parsed from ISO text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

Json = dict[str, Any]
T = TypeVar("T")

EDIT_PERMISSION = "billing.edit"


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    UNPAID = "UNPAID"
    PARTIAL = "PARTIAL"
    PAID = "PAID"
    VOID = "VOID"


class RunStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    AWAITING_REVIEW = "AWAITING_REVIEW"
    COMPLETED = "COMPLETED"
    COMPLETED_WITH_ERRORS = "COMPLETED_WITH_ERRORS"
    FAILED = "FAILED"
    DISCARDED = "DISCARDED"

    @property
    def working(self) -> bool:
        """True while the workers are still on the run."""
        return self in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def active(self) -> bool:
        """True while the run keeps the tenant from starting another: working, or awaiting
        review (the API's RUN_IN_PROGRESS rule; a test holds the two together)."""
        return self.working or self is RunStatus.AWAITING_REVIEW

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def money(text: str) -> Decimal:
    """A money amount from its decimal string (never through float)."""
    return Decimal(text)


def optional_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def optional_instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class Viewer:
    user_name: str
    tenant_name: str
    permissions: frozenset[str]
    environment: str
    currency: str

    @property
    def can_edit(self) -> bool:
        return EDIT_PERMISSION in self.permissions

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_json(cls, data: Json) -> Viewer:
        return cls(
            user_name=data["userName"],
            tenant_name=data["tenantName"],
            permissions=frozenset(data["permissions"]),
            environment=data["environment"],
            currency=data["currency"],
        )


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    email: str | None
    status: str
    blocked: bool
    billing_url: str

    @classmethod
    def from_json(cls, data: Json) -> Client:
        return cls(
            id=data["id"],
            name=data["name"],
            email=data["email"],
            status=data["status"],
            blocked=data["blocked"],
            billing_url=data["billingUrl"],
        )


@dataclass(frozen=True, slots=True)
class ClientService:
    """A recurring service, billed in advance one period at a time."""

    id: str
    description: str
    price: Decimal
    quantity: Decimal
    period: str
    next_bill_date: date
    status: str
    billable: bool
    auto_email: bool | None

    @classmethod
    def from_json(cls, data: Json) -> ClientService:
        return cls(
            id=data["id"],
            description=data["description"],
            price=money(data["price"]),
            quantity=Decimal(data["quantity"]),
            period=data["period"],
            next_bill_date=date.fromisoformat(data["nextBillDate"]),
            status=data["status"],
            billable=data["billable"],
            auto_email=data["autoEmail"],
        )


@dataclass(frozen=True, slots=True)
class PendingCharge:
    """A one-time charge not billed yet."""

    id: str
    description: str
    amount: Decimal
    scheduled_on: date

    @classmethod
    def from_json(cls, data: Json) -> PendingCharge:
        return cls(
            id=data["id"],
            description=data["description"],
            amount=money(data["amount"]),
            scheduled_on=date.fromisoformat(data["scheduledOn"]),
        )


@dataclass(frozen=True, slots=True)
class ClientAccount:
    """What a client's next runs will bill: its services and pending one-time charges."""

    services: list[ClientService]
    pending_charges: list[PendingCharge]

    @classmethod
    def from_json(cls, data: Json) -> ClientAccount:
        return cls(
            services=[ClientService.from_json(service) for service in data["services"]],
            pending_charges=[PendingCharge.from_json(charge) for charge in data["pendingCharges"]],
        )


@dataclass(frozen=True, slots=True)
class ActionState:
    allowed: bool
    reason: str | None

    @classmethod
    def from_json(cls, data: Json) -> ActionState:
        return cls(allowed=data["allowed"], reason=data["reason"])


@dataclass(frozen=True, slots=True)
class InvoiceActions:
    view: ActionState
    send: ActionState
    void: ActionState
    delete: ActionState

    @classmethod
    def from_json(cls, data: Json) -> InvoiceActions:
        return cls(
            view=ActionState.from_json(data["view"]),
            send=ActionState.from_json(data["send"]),
            void=ActionState.from_json(data["void"]),
            delete=ActionState.from_json(data["delete"]),
        )


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    number: str | None
    display_number: str
    client: Client
    issued_on: date
    due_on: date
    currency: str
    total: Decimal
    balance: Decimal
    status: InvoiceStatus
    emailed_at: datetime | None
    preview_url: str
    actions: InvoiceActions

    @classmethod
    def from_json(cls, data: Json) -> Invoice:
        return cls(
            id=data["id"],
            number=data["number"],
            display_number=data["displayNumber"],
            client=Client.from_json(data["client"]),
            issued_on=date.fromisoformat(data["issuedOn"]),
            due_on=date.fromisoformat(data["dueOn"]),
            currency=data["currency"],
            total=money(data["total"]),
            balance=money(data["balance"]),
            status=InvoiceStatus(data["status"]),
            emailed_at=optional_instant(data["emailedAt"]),
            preview_url=data["previewUrl"],
            actions=InvoiceActions.from_json(data["actions"]),
        )


@dataclass(frozen=True, slots=True)
class InvoicePage:
    """One page of an invoice list, cut by the server."""

    invoices: list[Invoice]
    total_count: int
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def from_json(cls, data: Json) -> InvoicePage:
        return cls(
            invoices=[Invoice.from_json(edge["node"]) for edge in data["edges"]],
            total_count=data["totalCount"],
            has_next_page=data["pageInfo"]["hasNextPage"],
            end_cursor=data["pageInfo"]["endCursor"],
        )


@dataclass(frozen=True, slots=True)
class StatusTotals:
    status: InvoiceStatus
    count: int
    total: Decimal
    balance: Decimal

    @classmethod
    def from_json(cls, data: Json) -> StatusTotals:
        return cls(
            status=InvoiceStatus(data["status"]),
            count=data["count"],
            total=money(data["total"]),
            balance=money(data["balance"]),
        )


@dataclass(frozen=True, slots=True)
class InvoiceKpis:
    total_invoices: int
    outstanding_balance: Decimal
    paid_invoices: int
    currency: str
    by_status: list[StatusTotals]

    @classmethod
    def from_json(cls, data: Json) -> InvoiceKpis:
        return cls(
            total_invoices=data["totalInvoices"],
            outstanding_balance=money(data["outstandingBalance"]),
            paid_invoices=data["paidInvoices"],
            currency=data["currency"],
            by_status=[StatusTotals.from_json(row) for row in data["byStatus"]],
        )


@dataclass(frozen=True, slots=True)
class RunPlan:
    """The date logic of a run: what a run started now would use."""

    run_date: date
    locked: bool
    due_date: date
    grace_date: date
    manual_run_allowed: bool
    blocked_reason: str | None
    client: Client | None
    review: bool
    eligible_clients: int

    @classmethod
    def from_json(cls, data: Json) -> RunPlan:
        return cls(
            run_date=date.fromisoformat(data["runDate"]),
            locked=data["locked"],
            due_date=date.fromisoformat(data["dueDate"]),
            grace_date=date.fromisoformat(data["graceDate"]),
            manual_run_allowed=data["manualRunAllowed"],
            blocked_reason=data["blockedReason"],
            client=Client.from_json(data["client"]) if data["client"] else None,
            review=data["review"],
            eligible_clients=data["eligibleClients"],
        )


@dataclass(frozen=True, slots=True)
class RunError:
    stage: str
    client_name: str | None
    message: str

    @classmethod
    def from_json(cls, data: Json) -> RunError:
        client = data["client"]
        return cls(
            stage=data["stage"],
            client_name=client["name"] if client else None,
            message=data["message"],
        )


@dataclass(frozen=True, slots=True)
class InvoiceRun:
    id: str
    billing_date: date
    client: Client | None
    status: RunStatus
    trigger: str
    review: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    clients_total: int
    clients_processed: int
    invoices_issued: int
    amount_issued: Decimal
    # Invoices the run was to email and could not; each is also one of its errors.
    email_failures: int = 0
    errors: list[RunError] = field(default_factory=list)

    @property
    def progress(self) -> float:
        """The share of clients processed, from 0 to 1."""
        if not self.status.working:
            return 1.0
        if self.clients_total == 0:
            return 0.0
        return min(1.0, self.clients_processed / self.clients_total)

    @classmethod
    def from_json(cls, data: Json) -> InvoiceRun:
        return cls(
            id=data["id"],
            billing_date=date.fromisoformat(data["billingDate"]),
            client=Client.from_json(data["client"]) if data["client"] else None,
            status=RunStatus(data["status"]),
            trigger=data["trigger"],
            review=data["review"],
            created_at=datetime.fromisoformat(data["createdAt"]),
            started_at=optional_instant(data["startedAt"]),
            finished_at=optional_instant(data["finishedAt"]),
            clients_total=data["clientsTotal"],
            clients_processed=data["clientsProcessed"],
            invoices_issued=data["invoicesIssued"],
            amount_issued=money(data["amountIssued"]),
            email_failures=data["emailFailures"],
            errors=[RunError.from_json(error) for error in data["errors"]],
        )


@dataclass(frozen=True, slots=True)
class UserError:
    """A business rule that refused a mutation, in words for people."""

    code: str
    message: str
    field: str | None

    @classmethod
    def from_json(cls, data: Json) -> UserError:
        return cls(code=data["code"], message=data["message"], field=data["field"])


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
