"""The preview page: a signed link opens one invoice of one tenant until it expires."""

from __future__ import annotations

import time

import httpx
import pytest

from billing.invoices.links import MAX_ID, make_preview_token
from graph.app import create_app
from ispbox.config import Settings
from tests.graph.conftest import Team, make_settings
from tests.support.builders import make_invoice
from tests.support.keys import TEST_SECRET_KEY

SECRET = TEST_SECRET_KEY  # the tests' settings


def link(invoice_id: int, token: str) -> str:
    return f"/invoices/{invoice_id}/preview?token={token}"


def token_for(tenant_id: int, invoice_id: int, *, secret: str = SECRET, ttl: int = 600) -> str:
    return make_preview_token(
        tenant_id=tenant_id, invoice_id=invoice_id, secret=secret, ttl_seconds=ttl
    )


@pytest.mark.asyncio
async def test_a_valid_link_shows_the_invoice_without_logging_in(
    api: httpx.AsyncClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client, "INV-0314", total="31.40")
    response = await api.get(link(invoice.id, token_for(acme.tenant.id, invoice.id)))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "INV-0314" in response.text
    assert "31.40" in response.text
    assert response.headers["cache-control"] == "private, no-store"


@pytest.mark.asyncio
async def test_an_expired_link_is_forbidden(api: httpx.AsyncClient, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    expired = make_preview_token(
        tenant_id=acme.tenant.id,
        invoice_id=invoice.id,
        secret=SECRET,
        ttl_seconds=60,
        now=time.time() - 3600,
    )
    response = await api.get(link(invoice.id, expired))
    assert response.status_code == 403
    assert "expired" in response.text


@pytest.mark.asyncio
@pytest.mark.parametrize("tamper", ["signature", "payload", "secret", "empty", "missing"])
async def test_a_tampered_link_is_forbidden(
    api: httpx.AsyncClient, acme: Team, tamper: str
) -> None:
    invoice = await make_invoice(acme.client)
    token = token_for(acme.tenant.id, invoice.id)
    payload, signature = token.split(".")
    bad = {
        # The first character carries six bits of the signature (the last may carry padding).
        "signature": f"{payload}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}",
        "payload": f"{token_for(acme.tenant.id, invoice.id + 1).split('.')[0]}.{signature}",
        "secret": token_for(acme.tenant.id, invoice.id, secret="someone-elses-secret"),
        "empty": "",
        "missing": None,
    }[tamper]
    url = f"/invoices/{invoice.id}/preview" if bad is None else link(invoice.id, bad)
    assert (await api.get(url)).status_code == 403


@pytest.mark.asyncio
async def test_a_link_for_another_invoice_is_forbidden(api: httpx.AsyncClient, acme: Team) -> None:
    shown = await make_invoice(acme.client, "A-1")
    other = await make_invoice(acme.client, "A-2")
    response = await api.get(link(other.id, token_for(acme.tenant.id, shown.id)))
    assert response.status_code == 403


@pytest.mark.asyncio
async def test_another_tenants_invoice_is_not_found(
    api: httpx.AsyncClient, acme: Team, globex: Team
) -> None:
    foreign = await make_invoice(globex.client, "G-1")
    response = await api.get(link(foreign.id, token_for(acme.tenant.id, foreign.id)))
    assert response.status_code == 404
    assert "G-1" not in response.text


@pytest.mark.asyncio
async def test_a_deleted_invoice_is_not_found(api: httpx.AsyncClient, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    token = token_for(acme.tenant.id, invoice.id)
    await invoice.delete()
    assert (await api.get(link(invoice.id, token))).status_code == 404


@pytest.mark.asyncio
async def test_a_link_expiring_beyond_the_time_to_live_is_forbidden(
    api: httpx.AsyncClient, acme: Team
) -> None:
    invoice = await make_invoice(acme.client)
    far = token_for(acme.tenant.id, invoice.id, ttl=10 * 365 * 24 * 3600)
    response = await api.get(link(invoice.id, far))
    assert response.status_code == 403


@pytest.mark.asyncio
@pytest.mark.parametrize("invoice_id", [MAX_ID + 1, 2**64, 10**30, -1])
async def test_an_invoice_id_beyond_64_bits_in_the_path_is_not_found(
    api: httpx.AsyncClient, acme: Team, invoice_id: int
) -> None:
    response = await api.get(link(invoice_id, token_for(acme.tenant.id, 1)))
    assert response.status_code == 404


@pytest.mark.asyncio
async def test_an_invoice_id_too_long_to_be_a_number_is_not_found(
    api: httpx.AsyncClient, acme: Team
) -> None:
    # Longer than int() reads (4,300 digits): refused before it is read as a number.
    token = token_for(acme.tenant.id, 1)
    response = await api.get(f"/invoices/{'9' * 5000}/preview", params={"token": token})
    assert response.status_code == 404


@pytest.mark.asyncio
@pytest.mark.parametrize(("tenant_id", "invoice_id"), [(2**64, 1), (1, MAX_ID + 1)])
async def test_a_signed_link_naming_ids_beyond_64_bits_is_refused(
    api: httpx.AsyncClient, acme: Team, tenant_id: int, invoice_id: int
) -> None:
    token = token_for(tenant_id, invoice_id)
    response = await api.get(link(min(invoice_id, MAX_ID), token))
    assert response.status_code in (403, 404)


PREVIEW_URL = "query($id: ID!) { invoice(id: $id) { previewUrl } }"


async def preview_url_from(settings: Settings, base_url: str, team: Team, invoice_id: int) -> str:
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as api:
        response = await api.post(
            "/graphql",
            json={"query": PREVIEW_URL, "variables": {"id": str(invoice_id)}},
            headers=team.viewer.headers,
        )
    return response.json()["data"]["invoice"]["previewUrl"]


@pytest.mark.asyncio
async def test_without_a_public_url_links_point_where_the_request_came(db: str, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    settings = make_settings(db, public_url=None)

    url = await preview_url_from(settings, "http://127.0.0.1:9000", acme, invoice.id)

    assert url.startswith(f"http://127.0.0.1:9000/invoices/{invoice.id}/preview?token=")


@pytest.mark.asyncio
async def test_a_configured_public_url_is_used_for_links(db: str, acme: Team) -> None:
    invoice = await make_invoice(acme.client)
    settings = make_settings(db, public_url="https://billing.example.test")

    url = await preview_url_from(settings, "http://127.0.0.1:9000", acme, invoice.id)

    assert url.startswith(f"https://billing.example.test/invoices/{invoice.id}/preview?token=")
