"""The viewer names the tenant's currency, the one every amount of the tenant is in."""

from __future__ import annotations

import pytest

from tests.graph.conftest import GraphQLClient, Team
from tests.support.builders import make_tenant, make_user


@pytest.mark.asyncio
async def test_viewer_names_the_currency_of_the_callers_tenant(
    graphql: GraphQLClient, acme: Team
) -> None:
    yen = await make_tenant("kanto", currency="JPY")
    kanto_viewer = await make_user(yen, "kanto-viewer")

    acme_answer = await graphql.data("{ viewer { currency } }", user=acme.viewer)
    kanto_answer = await graphql.data("{ viewer { currency } }", user=kanto_viewer)

    assert acme_answer["viewer"] == {"currency": "USD"}
    assert kanto_answer["viewer"] == {"currency": "JPY"}
