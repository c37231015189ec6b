"""Who a run bills: the stored statuses of clients, their services and one-time charges."""

from __future__ import annotations

from enum import StrEnum


class ClientStatus(StrEnum):
    ACTIVE = "active"
    OVERDUE = "overdue"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"


# Runs bill the clients in these statuses that are not blocked; the run selection's SQL filter
# is built from them.
BILLABLE_CLIENT_STATUSES = (ClientStatus.ACTIVE, ClientStatus.OVERDUE)
NOT_BILLED_BY_RUNS = "only active or overdue clients that are not blocked are"


def billed_by_runs(status: ClientStatus, blocked: bool) -> bool:
    """Whether runs bill the client: active or overdue, and not blocked."""
    return status in BILLABLE_CLIENT_STATUSES and not blocked


def billed_by_runs_sql(client: str) -> str:
    """`billed_by_runs` as an SQL condition over the clients table aliased `client`."""
    statuses = ", ".join(f"'{status.value}'" for status in BILLABLE_CLIENT_STATUSES)
    return f"{client}.status IN ({statuses}) AND NOT {client}.blocked"


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class ChargeStatus(StrEnum):
    PENDING = "pending"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


class BlockedReason(StrEnum):
    """Why a client is blocked: by a person (MANUAL) or by collections (OVERDUE)."""

    MANUAL = "manual"
    OVERDUE = "overdue"
