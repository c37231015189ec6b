"""The schema: queries, mutations and the run-progress subscription, with abuse limits."""

from __future__ import annotations

from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from graph.context import FreshContext
from graph.errors import MaskUnexpectedErrors, ProductSchema
from graph.introspection import SchemaDisclosure
from graph.mutations import Mutation
from graph.queries import Query
from graph.scalars import SCALAR_MAP
from graph.subscriptions import Subscription

# The list page's deepest query (an invoice's run's client's name) is 6 levels deep.
MAX_QUERY_DEPTH = 10
# Well above the introspection query GraphiQL sends (about 300 tokens).
MAX_TOKENS = 5000
MAX_ALIASES = 30
# Clients send the same few documents again and again: each is parsed and validated once.
CACHED_DOCUMENTS = 256
# The limits' validation rules, made once: the validation cache knows a document by its rules too.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]

schema = ProductSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
        SchemaDisclosure,
        MaskUnexpectedErrors,
        FreshContext,
    ],
)
