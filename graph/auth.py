"""Who is calling: an API token (`Authorization: Bearer <token>`) names one active user of one
tenant. Only the token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from orm.models import Tenant, User

BILLING_VIEW = "billing.view"
BILLING_EDIT = "billing.edit"


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User
    tenant: Tenant

    @property
    def permissions(self) -> list[str]:
        return sorted({str(permission) for permission in self.user.permissions or []})

    def can(self, permission: str) -> bool:
        return permission in (self.user.permissions or [])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: object) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None."""
    if not isinstance(authorization, str):
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


async def authenticate(authorization: object) -> Viewer | None:
    """The viewer an Authorization value names, or None for no, unknown or revoked tokens."""
    token = bearer_token(authorization)
    if token is None:
        return None
    user = (
        await User.filter(token_hash=hash_token(token), active=True)
        .select_related("tenant")
        .first()
    )
    if user is None:
        return None
    return Viewer(user=user, tenant=user.tenant)
