"""ClientPayload: the client a mutation changed (setClientBlocked, applyCredit), or the rules
that refused the change."""

from __future__ import annotations

import strawberry

from graph.types.client import Client
from graph.types.common import UserError


@strawberry.type
class ClientPayload:
    client: Client | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
