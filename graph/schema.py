"""The schema: queries, mutations and the run-progress subscription, with abuse limits."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from graph.context import FreshContext
from graph.errors import is_unexpected
from graph.mutations import Mutation
from graph.queries import Query
from graph.scalars import SCALAR_MAP
from graph.subscriptions import Subscription

# The list page's deepest query (an invoice's run's client's name) is 6 levels deep.
MAX_QUERY_DEPTH = 10
# Well above the introspection query GraphiQL sends (about 300 tokens).
MAX_TOKENS = 5000
MAX_ALIASES = 30

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaskErrors(should_mask_error=is_unexpected),
        FreshContext,
    ],
)
