"""Collections types: an invoice's reminders and the aging report."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from billing.collections.aging import AgingTotal
from billing.collections.aging_report import AgingReport as StoredAgingReport
from billing.money import from_minor_units
from orm import models


@strawberry.type
class InvoiceReminder:
    level: int = strawberry.field(
        description="1 for the first reminder of reminderDays, 2 for the second…"
    )
    sent_at: datetime

    @classmethod
    def from_model(cls, reminder: models.InvoiceReminder) -> InvoiceReminder:
        assert reminder.sent_at is not None, "only sent reminders are shown"
        return cls(level=reminder.level, sent_at=reminder.sent_at)


@strawberry.type
class AgingBucket:
    label: str
    from_days: int = strawberry.field(
        description="Days past due, inclusive; null toDays: no upper end; fromDays 0 with toDays "
        "0: not yet due."
    )
    to_days: int | None
    count: int
    balance: Decimal

    @classmethod
    def from_total(cls, total: AgingTotal, currency: str) -> AgingBucket:
        return cls(
            label=total.bucket.label,
            from_days=total.bucket.from_days,
            to_days=total.bucket.to_days,
            count=total.count,
            balance=from_minor_units(total.balance, currency),
        )


@strawberry.type
class AgingReport:
    as_of: date
    currency: str
    buckets: list[AgingBucket] = strawberry.field(
        description="current (not yet due), 1-30, 31-60, 61-90, 91+ days past due, in that "
        "order, zeros included."
    )
    total: Decimal

    @classmethod
    def from_report(cls, report: StoredAgingReport) -> AgingReport:
        return cls(
            as_of=report.as_of,
            currency=report.currency,
            buckets=[AgingBucket.from_total(total, report.currency) for total in report.buckets],
            total=from_minor_units(report.total, report.currency),
        )
