"""Idempotency keys: a request repeated with the same key returns the first result and does
nothing more; the same key with another input is refused (IDEMPOTENCY_CONFLICT).

Keys are unique per tenant. A key is claimed in the transaction of the request's effect
(`claim` then `complete` on the same connection), so the key and the effect are written together
or not at all; a concurrent request with the same key waits for that transaction and then finds
the result. An effect that leaves the database (an email) claims the key in a transaction of its
own before acting (`claim_alone`), completes it after (`complete_alone`), and releases it when
the request is refused (`release`), so a refused request may be tried again with its key. Keys
are kept at least `KEPT_FOR`; older ones are purged when a tenant claims a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from billing.errors import BillingRuleError, ErrorCode
from billing.text import unstorable_text
from orm.db import connection, placeholders
from orm.models import IdempotencyKey

KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 200
KEY_FIELD = "idempotencyKey"

Result = dict[str, Any]


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    """A request made under an idempotency key: its tenant, key, operation and input's digest."""

    tenant_id: int
    key: str
    operation: str
    fingerprint: str


def idempotent_request(
    tenant_id: int, key: str | None, operation: str, request_input: Mapping[str, Any]
) -> IdempotentRequest | None:
    """The request under its key, or None without one. Refuses a key that is empty, longer than
    MAX_KEY_LENGTH or holds control characters (INVALID_INPUT)."""
    if key is None:
        return None
    if problem := _key_problem(key):
        raise BillingRuleError(
            ErrorCode.INVALID_INPUT, f"The idempotency key {problem}.", field=KEY_FIELD
        )
    return IdempotentRequest(tenant_id, key, operation, fingerprint(operation, request_input))


def fingerprint(operation: str, request_input: Mapping[str, Any]) -> str:
    """SHA-256 of the operation and its input, independent of the order of the input's keys."""
    canonical = json.dumps([operation, request_input], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key_problem(key: str) -> str | None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return f"must be 1 to {MAX_KEY_LENGTH} characters long"
    if any(not character.isprintable() for character in key):
        return "must not contain control characters"
    return unstorable_text(key)


async def claim(request: IdempotentRequest | None, conn: BaseDBAsyncClient) -> Result | None:
    """Take the key inside the effect's transaction. None: the request is new, go on (and
    `complete` on the same connection). Otherwise the first request's result, to return as is.

    Raises IDEMPOTENCY_CONFLICT for another input under the key, or a first request still
    being processed.
    """
    if request is None or await _insert_claim(request, conn):
        return None
    earlier = await IdempotencyKey.get(tenant_id=request.tenant_id, key=request.key).using_db(conn)
    if earlier.fingerprint != request.fingerprint:
        raise BillingRuleError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "This idempotency key was already used for a different request.",
            field=KEY_FIELD,
        )
    if earlier.result is None:
        raise BillingRuleError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "The first request with this idempotency key is still being processed.",
            field=KEY_FIELD,
        )
    return earlier.result


async def complete(
    request: IdempotentRequest | None, result: Result, conn: BaseDBAsyncClient
) -> None:
    """Store the result a repeat of the request returns (in the effect's transaction)."""
    if request is None:
        return
    await (
        IdempotencyKey.filter(tenant_id=request.tenant_id, key=request.key)
        .using_db(conn)
        .update(result=result, completed_at=datetime.now(UTC))
    )


async def claim_alone(request: IdempotentRequest | None) -> Result | None:
    """`claim` in a transaction of its own, for an effect outside the database (an email):
    a concurrent repeat finds the key taken and never acts."""
    if request is None:
        return None
    await purge_expired(request.tenant_id)
    async with in_transaction() as conn:
        return await claim(request, conn)


async def complete_alone(request: IdempotentRequest | None, result: Result) -> None:
    """`complete` once the outside effect has happened."""
    if request is not None:
        await complete(request, result, connection())


async def release(request: IdempotentRequest | None) -> None:
    """Give up a key taken by `claim_alone` whose request was refused: nothing happened, so a
    repeat may try again."""
    if request is None:
        return
    await IdempotencyKey.filter(
        tenant_id=request.tenant_id, key=request.key, result__isnull=True
    ).delete()


async def purge_expired(tenant_id: int, now: datetime | None = None) -> int:
    """Delete the tenant's keys older than KEPT_FOR; the number deleted."""
    cutoff = (now or datetime.now(UTC)) - KEPT_FOR
    return await IdempotencyKey.filter(tenant_id=tenant_id, created_at__lt=cutoff).delete()


async def _insert_claim(request: IdempotentRequest, conn: BaseDBAsyncClient) -> bool:
    """Insert the key unless the tenant has it; True when this call inserted it.

    ON CONFLICT DO NOTHING waits for a concurrent transaction holding the same key and then
    does nothing, where a plain INSERT would fail and abort this transaction on PostgreSQL.
    """
    marks = ", ".join(placeholders(conn, 5))
    rows = await conn.execute_query_dict(
        "INSERT INTO idempotency_keys (tenant_id, key, operation, fingerprint, created_at) "
        f"VALUES ({marks}) ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id",
        [
            request.tenant_id,
            request.key,
            request.operation,
            request.fingerprint,
            datetime.now(UTC),
        ],
    )
    return bool(rows)
