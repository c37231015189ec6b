"""Which row actions the viewer may take on an invoice now, and why not where not.

Whether an action is allowed is the invoice's lifecycle's answer (`billing.invoices.lifecycle`),
the same the mutations and jobs get; this module adds only the viewer's permissions and gathers
the values the lifecycle asks for.
"""

from __future__ import annotations

import strawberry

from billing.credit_notes.settlement import CreditNoteSettlement
from billing.dates import today_in
from billing.delivery.email import send_refusal_for
from billing.errors import BillingRuleError
from billing.invoices import lifecycle
from graph.auth import BILLING_EDIT
from graph.context import Info
from graph.types.common import ActionState
from orm import models

NEEDS_EDIT = f"Needs the {BILLING_EDIT} permission."
CREDIT = CreditNoteSettlement.CREDIT


@strawberry.type
class InvoiceActions:
    view: ActionState
    send: ActionState
    void: ActionState
    delete: ActionState
    credit: ActionState = strawberry.field(description="Issue a credit note for it.")
    remind: ActionState = strawberry.field(
        description="Email a payment reminder for it now (sendReminder)."
    )
    pay: ActionState = strawberry.field(description="Record a payment against it.")


def action_state(refusal: BillingRuleError | None) -> ActionState:
    return ActionState.refuse(refusal.message) if refusal else ActionState.allow()


async def send_state(info: Info, invoice: models.Invoice) -> ActionState:
    client = await info.context.loaders.client.load(invoice.client_id)
    return action_state(send_refusal_for(invoice, client, info.context.tenant))


async def void_state(info: Info, invoice: models.Invoice) -> ActionState:
    loaders = info.context.loaders
    allocations = await loaders.allocations.load(invoice.id)
    in_flight = await loaders.charge_in_flight.load(invoice.id)
    notes = await loaders.credit_notes.load(invoice.id)
    return action_state(
        lifecycle.void_refusal(
            invoice.status,
            allocation_count=len(allocations),
            charge_in_flight=in_flight,
            credited_to_client=any(note.settlement == CREDIT for note in notes),
        )
    )


async def remind_state(info: Info, invoice: models.Invoice) -> ActionState:
    """The remind rule as of the tenant's today, then what any email needs (as sendReminder)."""
    tenant = info.context.tenant
    refusal = lifecycle.remind_refusal(
        invoice.status,
        balance_cents=invoice.balance_cents,
        due_on=invoice.due_on,
        today=today_in(tenant.timezone),
    )
    if refusal is not None:
        return action_state(refusal)
    client = await info.context.loaders.client.load(invoice.client_id)
    return action_state(send_refusal_for(invoice, client, tenant))


def pay_state(invoice: models.Invoice) -> ActionState:
    refusal = lifecycle.payment_refusal(invoice.status, balance_cents=invoice.balance_cents)
    if refusal is None:
        return ActionState.allow()
    # The lifecycle words it for a job's log ("the invoice is void"); a person reads a sentence.
    return ActionState.refuse(f"{refusal.message[:1].upper()}{refusal.message[1:]}.")


def delete_state(info: Info) -> ActionState:
    return action_state(lifecycle.delete_refusal(development=info.context.settings.is_development))


async def invoice_actions(info: Info, invoice: models.Invoice) -> InvoiceActions:
    view = action_state(lifecycle.view_refusal(invoice.status))
    if not info.context.authenticated_viewer.can(BILLING_EDIT):
        refused = ActionState.refuse(NEEDS_EDIT)
        return InvoiceActions(
            view=view,
            send=refused,
            void=refused,
            delete=refused,
            credit=refused,
            remind=refused,
            pay=refused,
        )
    return InvoiceActions(
        view=view,
        send=await send_state(info, invoice),
        void=await void_state(info, invoice),
        delete=delete_state(info),
        credit=action_state(lifecycle.credit_refusal(invoice.status)),
        remind=await remind_state(info, invoice),
        pay=pay_state(invoice),
    )
