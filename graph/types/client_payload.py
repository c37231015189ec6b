"""The payload of mutations that change a client's account: the client as it is after, or the
business rules that refused the change."""

from __future__ import annotations

import strawberry

from graph.types.client import Client
from graph.types.common import UserError


@strawberry.type
class ClientPayload:
    client: Client | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
