"""Which row actions the viewer may take on an invoice now, and why not where not.

The void rule is billing's (`void_refusal`), the mailbox rule the email module's; this module
adds only what depends on the viewer: permissions and the environment.
"""

from __future__ import annotations

import strawberry

from billing.delete import DEV_ONLY_MESSAGE
from billing.email import mailbox_problem
from billing.void import void_refusal
from graph.auth import BILLING_EDIT
from graph.context import Info
from graph.types.common import ActionState
from orm import models
from orm.models.enums import InvoiceStatus

NEEDS_EDIT = f"Needs the {BILLING_EDIT} permission."
DRAFT_FIRST = "Finalize or discard the run first."


@strawberry.type
class InvoiceActions:
    view: ActionState
    send: ActionState
    void: ActionState
    delete: ActionState


async def send_state(info: Info, invoice: models.Invoice) -> ActionState:
    client = await info.context.loaders.client.load(invoice.client_id)
    if client is None or not client.email:
        return ActionState.refuse("The client has no email address.")
    problem = mailbox_problem(info.context.tenant)
    if problem:
        return ActionState.refuse(problem)
    return ActionState.allow()


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
    if invoice.status == InvoiceStatus.DRAFT:
        draft = ActionState.refuse(DRAFT_FIRST)
        return InvoiceActions(view=view, send=draft, void=draft, delete=delete_state(info))
    return InvoiceActions(
        view=view,
        send=await send_state(info, invoice),
        void=await void_state(info, invoice),
        delete=delete_state(info),
    )
