"""The payload of the payment mutations: the payment as it is after, or the business rules that
refused the change."""

from __future__ import annotations

import strawberry

from graph.types.common import UserError
from graph.types.payment import Payment


@strawberry.type
class PaymentPayload:
    payment: Payment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
