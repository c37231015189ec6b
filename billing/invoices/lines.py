"""What an invoice line bills."""

from __future__ import annotations

from enum import StrEnum


class InvoiceLineKind(StrEnum):
    SERVICE = "service"
    ONE_TIME_CHARGE = "one_time_charge"
