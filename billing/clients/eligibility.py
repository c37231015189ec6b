"""Who a run bills: the stored statuses of clients, their services and one-time charges."""

from __future__ import annotations

from enum import StrEnum


class ClientStatus(StrEnum):
    ACTIVE = "active"
    OVERDUE = "overdue"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"


BILLABLE_CLIENT_STATUSES = (ClientStatus.ACTIVE, ClientStatus.OVERDUE)


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class ChargeStatus(StrEnum):
    PENDING = "pending"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"
