"""Who is calling: an API token (`Authorization: Bearer <token>`) names one active user of one
tenant. Only the token's keyed hash is stored (billing/tokens.py)."""

from __future__ import annotations

from dataclasses import dataclass

from billing.tokens import hash_token
from orm.db import connection, placeholders
from orm.models import Tenant, User
from orm.rows import model_from_row, select_columns

BILLING_VIEW = "billing.view"
BILLING_EDIT = "billing.edit"
BILLING_SETTINGS = "billing.settings"


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User
    tenant: Tenant

    @property
    def permissions(self) -> list[str]:
        return sorted({str(permission) for permission in self.user.permissions or []})

    def can(self, permission: str) -> bool:
        return permission in (self.user.permissions or [])


def bearer_token(authorization: object) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None."""
    if not isinstance(authorization, str):
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


async def authenticate(authorization: object, server_key: str) -> Viewer | None:
    """The viewer an Authorization value names, or None for no, unknown or revoked tokens.
    `server_key` is the key the tokens were hashed under at import."""
    token = bearer_token(authorization)
    if token is None:
        return None
    conn = connection()
    [mark] = placeholders(conn, 1)
    # Every request runs this: hand-written SQL, without the query builder's cost.
    rows = await conn.execute_query_dict(
        f"SELECT {select_columns(User, 'u')}, {select_columns(Tenant, 't')} "
        f"FROM users u JOIN tenants t ON t.id = u.tenant_id "
        f"WHERE u.token_hash = {mark} AND u.active",
        [hash_token(token, server_key)],
    )
    if not rows:
        return None
    [row] = rows
    return Viewer(user=model_from_row(User, row, "u"), tenant=model_from_row(Tenant, row, "t"))
