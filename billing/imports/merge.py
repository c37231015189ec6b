"""What a re-import may change of the state the product owns: a service's next bill date (runs
advance it, voids with reset move it back) and a one-time charge's status (runs invoice it, voids
with reset put it back to pending).

Each is a three-way merge of the stored value, the value the last import gave, and the file's:
- the file gives what the last import gave: the file says nothing new, the stored value stays
  (importing the same file again changes nothing, whatever runs and voids did since);
- the file gives something else: it is a change, applied unless it undoes what live invoices
  bill (a schedule moved back over periods they cover, a charge they bill made pending or
  cancelled), which is an import error naming the record.
Rows stored before imports were remembered hold no last imported value: there the file's value
is taken as unchanged where it is behind the product (an earlier date, a pending charge the
product invoiced).

Pure rules: the importer reads the rows and writes the outcome.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from billing.clients.eligibility import ChargeStatus
from billing.periods import BillingPeriod, ServicePeriod, period_starting


@dataclass(frozen=True, slots=True)
class Schedule:
    """Where a service's billing stands: its next bill date and the day periods start on."""

    next_bill_date: date
    anchor_day: int


@dataclass(frozen=True, slots=True)
class LiveLine:
    """A service period a live invoice bills."""

    start: date
    end: date
    invoice: str


def file_schedule(next_bill_date: date) -> Schedule:
    """A next bill date of the file: its day of the month is the service's anchor."""
    return Schedule(next_bill_date, next_bill_date.day)


def file_changes_schedule(stored: Schedule, last_imported: date | None, wanted: date) -> bool:
    """Whether the file's next bill date is news to apply rather than the product's to keep."""
    if last_imported is None:
        return wanted >= stored.next_bill_date
    return wanted != last_imported


def schedule_move_problem(wanted: date, stored: Schedule, live_lines: list[LiveLine]) -> str | None:
    """Why the schedule may not move to `wanted`: a live invoice bills a day from then on."""
    if wanted >= stored.next_bill_date:
        return None
    covering = [line for line in live_lines if line.end >= wanted]
    if not covering:
        return None
    first = min(covering, key=lambda line: line.start)
    return (
        f"cannot move back to {wanted} from {stored.next_bill_date}: invoice {first.invoice} "
        f"already bills {first.start} to {first.end} (void it with reset to bill it again)"
    )


def file_changes_charge(
    stored: ChargeStatus, on_live_invoice: bool, last_imported: ChargeStatus | None,
    wanted: ChargeStatus,
) -> bool:  # fmt: skip
    """Whether the file's status is news to apply rather than the product's to keep."""
    if last_imported is None:
        return not (on_live_invoice and wanted == ChargeStatus.PENDING)
    return wanted != last_imported


def charge_change_problem(
    wanted: ChargeStatus, on_live_invoice: bool, invoice: str | None
) -> str | None:
    """Why the charge may not take the file's status: a live invoice bills it."""
    if on_live_invoice and wanted != ChargeStatus.INVOICED:
        return (
            f'cannot become "{wanted.value}": invoice {invoice} bills the charge '
            "(void it with reset to bill it again)"
        )
    return None


def on_anchor(day: date, anchor_day: int) -> bool:
    """Whether a period may start on this day: the anchor day, or the month's last day where
    the month is shorter."""
    return day.day == min(anchor_day, calendar.monthrange(day.year, day.month)[1])


def scheduled_period(
    start: date, schedule: Schedule, period: ServicePeriod
) -> BillingPeriod | None:
    """The period of the schedule, from its next bill date on, that starts on `start`."""
    current = schedule.next_bill_date
    while current < start:
        current = period_starting(current, period, schedule.anchor_day).end + timedelta(days=1)
    return period_starting(current, period, schedule.anchor_day) if current == start else None


def history_line_problem(
    start: date, end: date, schedule: Schedule, period: ServicePeriod
) -> str | None:
    """Why a live imported line would overlap what the service bills: it starts off the
    service's anchor, or it reaches the next bill date without being one whole period of the
    schedule (a run skips such a period; it cannot skip part of one)."""
    if not on_anchor(start, schedule.anchor_day):
        return (
            f"{start} is off the service's billing grid: its periods start on day "
            f"{schedule.anchor_day} of the month"
        )
    if end < schedule.next_bill_date:
        return None
    whole = scheduled_period(start, schedule, period)
    if whole is None or whole.end != end:
        return (
            f"the period {start} to {end} overlaps what the service bills from its next bill "
            f"date {schedule.next_bill_date}: a line from then on must bill one whole "
            f"{ServicePeriod(period).value} period of the schedule"
        )
    return None
