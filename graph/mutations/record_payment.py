"""recordPayment — record money received from a client and allocate it to invoices.

Arguments: input: RecordPaymentInput (clientId, amount, receivedOn, method, reference,
invoiceIds, idempotencyKey, currency)
Permission: billing.edit
Errors (PaymentPayload.errors): NOT_FOUND (client or a named invoice), NOT_PAYABLE (a named
invoice that takes no payment), CURRENCY_MISMATCH, INVALID_INPUT (an amount not above zero or
with more decimals than the currency, a date out of range, a bad reference, an invoice named
twice), IDEMPOTENCY_CONFLICT
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from billing.payments.methods import PaymentMethod as StoredMethod
from billing.payments.recording import PaymentRequest, record_payment
from graph.context import Info
from graph.mutations.refusals import refusals_in, row_id
from graph.types.payment import Payment, PaymentMethod
from graph.types.payment_payload import PaymentPayload


@strawberry.input
class RecordPaymentInput:
    client_id: strawberry.ID
    amount: Decimal = strawberry.field(description="Above zero.")
    received_on: date
    method: PaymentMethod
    reference: str | None = None
    invoice_ids: list[strawberry.ID] | None = None
    idempotency_key: str | None = None
    currency: str | None = strawberry.field(
        default=None,
        description="ISO 4217 code of the money received; null: the tenant's currency (any "
        "other is refused with CURRENCY_MISMATCH).",
    )


@refusals_in(PaymentPayload)
async def record_payment_field(info: Info, input: RecordPaymentInput) -> PaymentPayload:
    viewer = info.context.authenticated_viewer
    invoice_ids = (
        None
        if input.invoice_ids is None
        else tuple(
            row_id(value, "invoice of this client", "invoiceIds") for value in input.invoice_ids
        )
    )
    request = PaymentRequest(
        client_id=row_id(input.client_id, "client", "clientId"),
        amount=input.amount,
        received_on=input.received_on,
        method=StoredMethod(input.method.value),
        reference=input.reference,
        invoice_ids=invoice_ids,
        currency=input.currency,
    )
    payment = await record_payment(
        tenant_id=viewer.tenant.id,
        user_id=viewer.user.id,
        request=request,
        idempotency_key=input.idempotency_key,
    )
    return PaymentPayload(payment=Payment.from_model(payment))
