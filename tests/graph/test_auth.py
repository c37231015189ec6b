"""Authentication: API tokens on every request, 401 without one; health; GraphiQL."""

from __future__ import annotations

import httpx
import pytest

from tests.graph.conftest import API_URL, GraphQLClient, Team, api_client, make_settings
from tests.support.builders import make_user

VIEWER = "{ viewer { userName tenantName permissions environment } }"


async def post_viewer(api: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await api.post("/graphql", json={"query": VIEWER}, headers=headers)


@pytest.mark.asyncio
async def test_a_request_without_a_token_is_401_with_a_json_message(
    api: httpx.AsyncClient, acme: Team
) -> None:
    response = await post_viewer(api, {})
    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer", "Basic dXNlcjpwYXNz", "tok_plain"],
)
async def test_an_unknown_or_malformed_token_is_401(
    api: httpx.AsyncClient, acme: Team, authorization: str
) -> None:
    response = await post_viewer(api, {"Authorization": authorization})
    assert response.status_code == 401


@pytest.mark.asyncio
async def test_the_token_of_a_deactivated_user_is_401(api: httpx.AsyncClient, acme: Team) -> None:
    revoked = await make_user(acme.tenant, "former", active=False)
    response = await post_viewer(api, revoked.headers)
    assert response.status_code == 401


@pytest.mark.asyncio
async def test_the_bearer_scheme_is_case_insensitive(api: httpx.AsyncClient, acme: Team) -> None:
    response = await post_viewer(api, {"Authorization": f"bearer {acme.viewer.token}"})
    assert response.status_code == 200


@pytest.mark.asyncio
async def test_viewer_names_the_user_the_tenant_the_permissions_and_the_environment(
    graphql: GraphQLClient, acme: Team
) -> None:
    data = await graphql.data(VIEWER, user=acme.editor)
    assert data["viewer"] == {
        "userName": "Acme-Editor",
        "tenantName": "Acme",
        "permissions": ["billing.edit", "billing.view"],
        "environment": "development",
    }


@pytest.mark.asyncio
async def test_viewer_is_open_to_a_user_without_permissions(
    graphql: GraphQLClient, acme: Team
) -> None:
    data = await graphql.data(VIEWER, user=acme.stranger)
    assert data["viewer"]["permissions"] == []


@pytest.mark.asyncio
async def test_health_answers_ok_while_the_database_answers(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.asyncio
async def test_graphiql_is_served_in_development(api: httpx.AsyncClient) -> None:
    response = await api.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


@pytest.mark.asyncio
async def test_graphiql_is_not_served_in_production(db: str, acme: Team) -> None:
    async with api_client(make_settings(db, env="production")) as api:
        anonymous = await api.get("/graphql", headers={"Accept": "text/html"})
        signed_in = await api.get(
            "/graphql", headers={"Accept": "text/html", **acme.viewer.headers}
        )
    assert anonymous.status_code == 401
    assert signed_in.status_code == 404


@pytest.mark.asyncio
async def test_queries_are_not_run_over_get(api: httpx.AsyncClient, acme: Team) -> None:
    response = await api.get(
        f"{API_URL}/graphql", params={"query": VIEWER}, headers=acme.viewer.headers
    )
    assert response.status_code == 400
