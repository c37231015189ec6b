"""What happens after invoices are issued: which to email and which to charge.

Resolved from what the invoice recorded at issue (its auto email) and the tenant's auto charge;
the workers act on the ids. The filters are the lifecycle's `auto_email_refusal` and
`auto_charge_refusal` written as queries over its status sets (a test holds them together).
Asking twice is harmless: the email and charge code skip invoices already emailed or paid, which
makes a redelivered chunk safe to follow up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from billing.invoices.lifecycle import PAYABLE_STATUSES, SENDABLE_STATUSES
from orm.models import Invoice, Tenant


@dataclass(slots=True)
class Followups:
    email_invoice_ids: list[int] = field(default_factory=list)
    charge_invoice_ids: list[int] = field(default_factory=list)


async def followups_for_run(
    tenant: Tenant,
    run_id: int,
    *,
    first_client_id: int | None = None,
    last_client_id: int | None = None,
    charging_enabled: bool,
) -> Followups:
    """Issued invoices of the run (or of a chunk's client range) still to email or charge."""
    invoices = Invoice.filter(tenant_id=tenant.id, run_id=run_id)
    if first_client_id is not None:
        invoices = invoices.filter(client_id__gte=first_client_id, client_id__lte=last_client_id)
    email_ids = await invoices.filter(
        status__in=SENDABLE_STATUSES, auto_email=True, emailed_at__isnull=True, total_cents__gt=0
    ).values_list("id", flat=True)
    charge_ids: list[int] = []
    if tenant.auto_charge and charging_enabled:
        charge_ids = await invoices.filter(
            status__in=PAYABLE_STATUSES, balance_cents__gt=0
        ).values_list("id", flat=True)
    return Followups(list(email_ids), list(charge_ids))
