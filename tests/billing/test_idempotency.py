"""Idempotency keys: a repeat returns the first result, another input under the key is refused,
keys are kept at least a day and purged after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from billing.errors import BillingRuleError, ErrorCode
from billing.idempotency import (
    KEPT_FOR,
    claim_alone,
    complete_alone,
    idempotent_request,
    release,
)
from orm.models import IdempotencyKey, Tenant


async def make_tenant(key: str = "acme") -> Tenant:
    return await Tenant.create(key=key, name=key.title())


async def used_key(tenant: Tenant, key: str, age: timedelta) -> None:
    """A key completed `age` ago for sending invoice 1."""
    request = idempotent_request(tenant.id, key, "send_invoice", {"invoice_id": 1})
    assert await claim_alone(request) is None
    await complete_alone(request, {"invoice_id": 1})
    await IdempotencyKey.filter(key=key).update(created_at=datetime.now(UTC) - age)


@pytest.mark.asyncio
async def test_a_repeat_returns_the_first_result_whatever_the_order_of_the_input(
    db: str,
) -> None:
    tenant = await make_tenant()
    first = idempotent_request(tenant.id, "k", "void_invoice", {"a": 1, "b": "x"})
    repeat = idempotent_request(tenant.id, "k", "void_invoice", {"b": "x", "a": 1})
    assert await claim_alone(first) is None
    await complete_alone(first, {"invoice_id": 7})
    assert await claim_alone(repeat) == {"invoice_id": 7}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("operation", "request_input"),
    [("void_invoice", {"invoice_id": 2}), ("send_invoice", {"invoice_id": 1})],
    ids=["other-input", "other-operation"],
)
async def test_the_key_with_another_input_or_operation_is_a_conflict(
    db: str, operation: str, request_input: dict
) -> None:
    tenant = await make_tenant()
    first = idempotent_request(tenant.id, "k", "void_invoice", {"invoice_id": 1})
    assert await claim_alone(first) is None
    await complete_alone(first, {"invoice_id": 1})
    with pytest.raises(BillingRuleError) as refused:
        await claim_alone(idempotent_request(tenant.id, "k", operation, request_input))
    assert refused.value.code == ErrorCode.IDEMPOTENCY_CONFLICT


@pytest.mark.asyncio
async def test_a_key_whose_first_request_is_unfinished_is_refused_until_released(
    db: str,
) -> None:
    tenant = await make_tenant()
    request = idempotent_request(tenant.id, "k", "send_invoice", {"invoice_id": 1})
    assert await claim_alone(request) is None
    with pytest.raises(BillingRuleError) as refused:
        await claim_alone(request)
    assert "still being processed" in refused.value.message
    await release(request)
    assert await claim_alone(request) is None


@pytest.mark.asyncio
async def test_keys_are_kept_a_day_and_purged_after(db: str) -> None:
    tenant = await make_tenant()
    other = await make_tenant("globex")
    await used_key(tenant, "recent", KEPT_FOR - timedelta(hours=1))
    await used_key(tenant, "expired", KEPT_FOR + timedelta(hours=1))
    await used_key(other, "elsewhere", KEPT_FOR + timedelta(hours=1))

    fresh = idempotent_request(tenant.id, "fresh", "send_invoice", {"invoice_id": 2})
    assert await claim_alone(fresh) is None

    assert set(await IdempotencyKey.filter(tenant_id=tenant.id).values_list("key", flat=True)) == {
        "recent",
        "fresh",
    }
    assert await IdempotencyKey.filter(tenant_id=other.id).count() == 1
    recent = idempotent_request(tenant.id, "recent", "send_invoice", {"invoice_id": 1})
    assert await claim_alone(recent) == {"invoice_id": 1}


@pytest.mark.parametrize("key", ["", "k" * 201, "tab\there", "nul\x00"])
def test_a_malformed_key_is_invalid_input(key: str) -> None:
    with pytest.raises(BillingRuleError) as refused:
        idempotent_request(1, key, "send_invoice", {})
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "idempotencyKey")


def test_without_a_key_there_is_no_request() -> None:
    assert idempotent_request(1, None, "send_invoice", {}) is None
