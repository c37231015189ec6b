"""The Mutation type: one module per mutation, each stating its arguments, permission and errors.

Every mutation needs `billing.edit`, but Settings → Invoices `billing.settings`; business-rule
failures come back in the payload's `errors`.
"""

from __future__ import annotations

import strawberry

from graph.mutations.apply_credit import apply_credit_field
from graph.mutations.delete_invoice import delete_invoice
from graph.mutations.discard_invoice_run import discard_invoice_run
from graph.mutations.finalize_invoice_run import finalize_invoice_run
from graph.mutations.ignore_bank_entry import ignore_bank_entry
from graph.mutations.import_bank_statement import import_bank_statement
from graph.mutations.issue_credit_note import issue_credit_note
from graph.mutations.match_bank_entry import match_bank_entry
from graph.mutations.record_payment import record_payment_field
from graph.mutations.refund_payment import refund_payment_field
from graph.mutations.reverse_payment import reverse_payment_field
from graph.mutations.run_bulk import run_bulk
from graph.mutations.send_invoice import send_invoice
from graph.mutations.send_reminder import send_reminder
from graph.mutations.set_client_blocked import set_client_blocked
from graph.mutations.update_invoice_settings import update_invoice_settings_field
from graph.mutations.void_invoice import void_invoice
from graph.permissions import CanEditBilling, CanEditSettings


@strawberry.type
class Mutation:
    run_bulk = strawberry.mutation(
        resolver=run_bulk,
        permission_classes=[CanEditBilling],
        description="Start an invoice run. It is queued and processed by the workers; follow it "
        "with invoiceRunProgress.",
    )
    void_invoice = strawberry.mutation(resolver=void_invoice, permission_classes=[CanEditBilling])
    send_invoice = strawberry.mutation(
        resolver=send_invoice,
        permission_classes=[CanEditBilling],
        description="Email the invoice now (it names the invoice number and total, and links its "
        "preview). On success the returned invoice has emailedAt set.",
    )
    delete_invoice = strawberry.mutation(
        resolver=delete_invoice,
        permission_classes=[CanEditBilling],
        description="Permanently remove the invoice and its related records. Only in the "
        "development environment.",
    )
    finalize_invoice_run = strawberry.mutation(
        resolver=finalize_invoice_run,
        permission_classes=[CanEditBilling],
        description="Issue the drafts of a run that awaits review: numbers are assigned "
        "(gap-free, in one step), the invoices become UNPAID (or PAID where the total is zero), "
        "and auto email and auto charge follow as for any issued invoice. The run ends COMPLETED "
        "(or COMPLETED_WITH_ERRORS where it recorded errors).",
    )
    discard_invoice_run = strawberry.mutation(
        resolver=discard_invoice_run,
        permission_classes=[CanEditBilling],
        description="Throw away the drafts of a run that awaits review: they are deleted, each "
        "service's next bill date and each charge go back to what they were before the run, no "
        "number is used. The run ends DISCARDED.",
    )
    update_invoice_settings = strawberry.mutation(
        resolver=update_invoice_settings_field,
        permission_classes=[CanEditSettings],
        description="Change Settings → Invoices. An omitted field is unchanged; an explicit null "
        "clears a nullable one.",
    )
    issue_credit_note = strawberry.mutation(
        resolver=issue_credit_note,
        permission_classes=[CanEditBilling],
        description="Issue a credit note for an issued invoice: the whole invoice, or chosen "
        "lines with the net amount of each. It takes the next number of the tenant's credit note "
        "series (gap-free, its own prefix).",
    )
    send_reminder = strawberry.mutation(
        resolver=send_reminder,
        permission_classes=[CanEditBilling],
        description="Email a payment reminder for an invoice past its due date now (counted like "
        "an automatic one).",
    )
    set_client_blocked = strawberry.mutation(
        resolver=set_client_blocked,
        permission_classes=[CanEditBilling],
        description="Block or unblock a client by hand. A manual block is never lifted "
        "automatically.",
    )
    record_payment = strawberry.mutation(
        resolver=record_payment_field,
        permission_classes=[CanEditBilling],
        description="Record money received from a client and allocate it to invoices (invoiceIds "
        "in that order, or the client's open invoices oldest due date first); what is left over "
        "is the client's credit balance. Each invoice's balance and status follow (PARTIAL, PAID).",
    )
    reverse_payment = strawberry.mutation(
        resolver=reverse_payment_field,
        permission_classes=[CanEditBilling],
        description="Undo a payment that bounced or was entered in error: its allocations go, "
        "the invoices reopen.",
    )
    refund_payment = strawberry.mutation(
        resolver=refund_payment_field,
        permission_classes=[CanEditBilling],
        description="Pay money back from the unallocated part of a payment (a CARD payment "
        "through Stripe's refunds, any other recorded as paid back). The client's credit balance "
        "goes down by the amount.",
    )
    apply_credit = strawberry.mutation(
        resolver=apply_credit_field,
        permission_classes=[CanEditBilling],
        description="Apply the client's credit balance to open invoices (invoiceIds in order, "
        "or oldest due first).",
    )
    import_bank_statement = strawberry.mutation(
        resolver=import_bank_statement,
        permission_classes=[CanEditBilling],
        description="Read a bank statement (CAMT.053 XML or MT940 text): every incoming entry "
        "that names an open invoice's number in its remittance information, in the tenant's "
        "currency, is recorded as a payment of that invoice's client (that invoice first); the "
        "others wait for matchBankEntry or ignoreBankEntry. An entry already imported (same "
        "account and bank reference) is a DUPLICATE and records nothing.",
    )
    match_bank_entry = strawberry.mutation(
        resolver=match_bank_entry,
        permission_classes=[CanEditBilling],
        description="Record an unmatched bank entry as a payment of the given client (and "
        "invoices).",
    )
    ignore_bank_entry = strawberry.mutation(
        resolver=ignore_bank_entry,
        permission_classes=[CanEditBilling],
        description="Set an unmatched bank entry aside: it records nothing.",
    )
