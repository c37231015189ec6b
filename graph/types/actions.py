"""Which row actions the viewer may take on an invoice now, and why not where not.

The send and void rules are billing's (`send_refusal`, `void_refusal`), the same the mutations
ask; this module adds only what depends on the viewer: permissions and the environment.
"""

from __future__ import annotations

import strawberry

from billing.delivery.email import send_refusal
from billing.invoices.delete import DEV_ONLY_MESSAGE
from billing.invoices.void import void_refusal
from graph.auth import BILLING_EDIT
from graph.context import Info
from graph.types.common import ActionState
from orm import models

NEEDS_EDIT = f"Needs the {BILLING_EDIT} permission."


@strawberry.type
class InvoiceActions:
    view: ActionState
    send: ActionState
    void: ActionState
    delete: ActionState


async def send_state(info: Info, invoice: models.Invoice) -> ActionState:
    client = await info.context.loaders.client.load(invoice.client_id)
    refusal = send_refusal(invoice, client, info.context.tenant)
    return ActionState.refuse(refusal.message) if refusal else ActionState.allow()


async def void_state(info: Info, invoice: models.Invoice) -> ActionState:
    loaders = info.context.loaders
    allocations = await loaders.allocations.load(invoice.id)
    in_flight = await loaders.charge_in_flight.load(invoice.id)
    refusal = void_refusal(invoice, len(allocations), in_flight)
    return ActionState.refuse(refusal.message) if refusal else ActionState.allow()


def delete_state(info: Info) -> ActionState:
    if not info.context.settings.is_development:
        return ActionState.refuse(DEV_ONLY_MESSAGE)
    return ActionState.allow()


async def invoice_actions(info: Info, invoice: models.Invoice) -> InvoiceActions:
    view = ActionState.allow()
    if not info.context.authenticated_viewer.can(BILLING_EDIT):
        refused = ActionState.refuse(NEEDS_EDIT)
        return InvoiceActions(view=view, send=refused, void=refused, delete=refused)
    return InvoiceActions(
        view=view,
        send=await send_state(info, invoice),
        void=await void_state(info, invoice),
        delete=delete_state(info),
    )
