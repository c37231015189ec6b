"""Validation of an import document (the import format contract) before anything is written.

The document is read into the pydantic models of `records`; every problem is reported as
`path: message`, e.g. `tenants[0].clients[12].services[0].price: must be a decimal ≥ 0`, and
every problem of the document is reported, not only the first.

Required fields are the ones of the contract's example; these may be left out and then take the
value shown: `settings.review_runs` (false), `settings.billing_cycle_day` (null),
`settings.mailbox` (null), `mailbox.username`/`password` (null), `mailbox.starttls` (false),
a tenant's `users` and `clients` ([]), a client's `email`, `stripe_customer_id`,
`stripe_payment_method_id` (null), `status` ("active"), `blocked` (false), `services`, `charges`,
`invoices` ([]), a service's `quantity` ("1"), `status` ("active"), `billable` (true),
`auto_email` (null), a charge's `status` ("pending"), an invoice's `number`, `status`,
`emailed_at` (null) and `payments` ([]), a line's `period_start`, `period_end`, `service` (null)
and `charge` (null: an addition to the format, the key of the client's charge the line bills).
The fields added on 2026-11-29 may all be left out, with the format's defaults: a tenant's
`legal_name`, `address`, `tax_id` (null), the settings' `credit_note_number_prefix` ("CN-"),
`prices_include_tax`, `issued_invoices_immutable`, `block_after_grace` (false),
`auto_apply_credit` (true), `default_tax_rate`, `payment_instructions`, `late_fee_amount`,
`late_fee_percent` (null), `reminder_days` ([]), a client's `address`, `tax_id`,
`tax_exempt_reason` (null), `tax_exempt` (false), `blocked_reason` ("manual" for a blocked
client), and the `tax_rate` of a service, a charge or a line (null).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from billing.imports.fields import PERMISSIONS, VOID
from billing.imports.problems import path_of, reported_problems
from billing.imports.records import FOUND, Document, ServiceReference, present

__all__ = [
    "PERMISSIONS",
    "VOID",
    "DocumentCheck",
    "ServiceReference",
    "check_document",
    "validate_import",
]


@dataclass(slots=True)
class DocumentCheck:
    """The problems of a document read alone, and the service references the file leaves open
    (the importer looks those up among the services already stored)."""

    problems: list[str] = field(default_factory=list)
    unresolved_services: list[ServiceReference] = field(default_factory=list)


def validate_import(document: Any) -> list[str]:
    """Every problem of the document read alone, as `path: message` (empty when valid).

    An invoice line must name a service of its client listed in the same file; the importer
    also accepts a service already stored for that client."""
    check = check_document(document)
    return check.problems + [ref.problem() for ref in check.unresolved_services]


def check_document(document: Any) -> DocumentCheck:
    """Checks a whole document, collecting every problem."""
    with cyclic_collection_paused():
        # The models are freed on return, while the collector still sleeps.
        return checked_document(document)


def checked_document(document: Any) -> DocumentCheck:
    context: dict[str, Any] = {}
    try:
        valid = Document.model_validate(document, context=context)
    except ValidationError as error:
        partial = context.get(FOUND, {}).get(id(document))
        references = list(service_references(partial)) if partial else []
        return DocumentCheck(reported_problems(document, error), references)
    return DocumentCheck([], list(service_references(valid)))


@contextmanager
def cyclic_collection_paused() -> Iterator[None]:
    """A large file is millions of objects, and validating it makes a model for each record:
    the cyclic garbage collector's passes over them would double the time (records hold no
    cycles, so nothing waits for it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def service_references(document: Document) -> Iterator[ServiceReference]:
    """The invoice lines naming a service their client does not list in the file."""
    for tenant_index, tenant in present(document.tenants):
        for client_index, client in present(tenant.clients):
            if not client.invoices:
                continue
            client_loc = ("tenants", tenant_index, "clients", client_index)
            for loc, service_key in client.unresolved_services():
                yield ServiceReference(
                    path=path_of((*client_loc, *loc)),
                    tenant_key=str(tenant.key),
                    client_key=str(client.key),
                    service_key=service_key,
                )
