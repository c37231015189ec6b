"""Putting what an invoice billed back on the schedule, for the next run to bill again.

A void with reset puts back everything the invoice billed; a credit note with reset the lines it
credits. Runs skip any period sharing a day with a live invoice line's, and each put-back period
is billed once (its record is linked to the line that bills it again), so no day of a service is
ever billed twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from billing.clients.eligibility import ChargeStatus
from billing.invoices.lines import InvoiceLineKind
from billing.periods import period_starting
from orm.models import Charge, Invoice, InvoiceLine, Service, ServiceRebillPeriod


async def put_back_periods(
    conn: BaseDBAsyncClient, invoice: Invoice, lines: Sequence[InvoiceLine]
) -> None:
    """Record each service period of these lines of the invoice to be billed again by the next
    run (exactly those periods, whatever the service's period or anchor day is now, and with the
    schedule left where it is, so an old invoice never sets a client years behind). A period the
    schedule has not yet passed needs no record: the schedule bills it again."""
    service_lines = [
        line
        for line in lines
        if line.kind == InvoiceLineKind.SERVICE
        and line.service_id is not None
        and line.period_start is not None
    ]
    if not service_lines:
        return
    services = {
        service.id: service
        for service in await Service.select_for_update()
        .using_db(conn)
        .filter(id__in={line.service_id for line in service_lines}, tenant_id=invoice.tenant_id)
    }
    await ServiceRebillPeriod.bulk_create(
        [
            ServiceRebillPeriod(
                tenant_id=invoice.tenant_id,
                service_id=line.service_id,
                period_start=line.period_start,
                period_end=line.period_end or _period_end(services[line.service_id], line),
                voided_invoice_id=invoice.id,
            )
            for line in service_lines
            if line.service_id in services
            and line.period_start < services[line.service_id].next_bill_date
        ],
        using_db=conn,
    )


async def put_back_charges(
    conn: BaseDBAsyncClient, invoice: Invoice, charge_ids: Collection[int] | None = None
) -> None:
    """Each charge the invoice invoiced (only those of `charge_ids` where given) goes back to
    pending; a cancelled charge stays cancelled."""
    charges = Charge.filter(invoice_id=invoice.id, status=ChargeStatus.INVOICED)
    if charge_ids is not None:
        charges = charges.filter(id__in=list(charge_ids))
    await charges.using_db(conn).update(status=ChargeStatus.PENDING, invoice_id=None)


def _period_end(service: Service, line: InvoiceLine) -> date:
    """The end of a line's period where it recorded none: the service's period from its start."""
    return period_starting(line.period_start, service.period, service.anchor_day).end
