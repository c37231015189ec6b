import pytest

from orm.models import Tenant


@pytest.mark.asyncio
async def test_tenant_round_trip(db: str) -> None:
    await Tenant.create(key="acme", name="Acme")
    assert await Tenant.filter(key="acme").count() == 1
