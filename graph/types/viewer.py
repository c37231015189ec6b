"""The Viewer type: who is calling, and where."""

from __future__ import annotations

import strawberry

from graph.auth import Viewer as AuthenticatedViewer
from ispbox.config import Settings


@strawberry.type
class Viewer:
    user_name: str
    tenant_name: str
    permissions: list[str]
    environment: str = strawberry.field(description="development | production")
    currency: str = strawberry.field(
        description="The tenant's currency: every amount of its runs, invoices and accounts."
    )

    @classmethod
    def of(cls, viewer: AuthenticatedViewer, settings: Settings) -> Viewer:
        return cls(
            user_name=viewer.user.name,
            tenant_name=viewer.tenant.name,
            permissions=viewer.permissions,
            environment=settings.env,
            currency=viewer.tenant.currency,
        )
