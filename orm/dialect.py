"""The differences between SQLite and PostgreSQL that hand-written SQL spells out, one function
per difference, so that a rule's SQL is written once and reads the same on both.

Parameter markers and dates as raw SQL takes them are in `orm.db` (`placeholders`, `sql_date`).
"""

from __future__ import annotations

from pypika_tortoise.context import SqlContext
from pypika_tortoise.enums import Equality
from pypika_tortoise.terms import BasicCriterion, Function, Term
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, ResolveContext, Subquery
from tortoise.query_utils import QueryModifier
from tortoise.queryset import QuerySet

from orm.db import is_postgres


def numbered_placeholder(conn: BaseDBAsyncClient, position: int) -> str:
    """The marker of the parameter at `position` (from 1), usable more than once in a
    statement: $N on asyncpg, ?N on SQLite."""
    return f"{'$' if is_postgres(conn) else '?'}{position}"


def in_subquery(conn: BaseDBAsyncClient, column: str, subquery: str) -> str:
    """`column IN (subquery)`; on PostgreSQL written `column = ANY(ARRAY(subquery))`, which a
    bitmap index scan can serve, so an OR with another indexed condition keeps both indexes."""
    if is_postgres(conn):
        return f"{column} = ANY(ARRAY({subquery}))"
    return f"{column} IN ({subquery})"


def row_lock(conn: BaseDBAsyncClient, alias: str) -> str:
    """The clause that locks a SELECT's rows of `alias` until the transaction ends (PostgreSQL);
    nothing on SQLite, which serialises writers instead."""
    return f" FOR UPDATE OF {alias}" if is_postgres(conn) else ""


def bigint_parameter(conn: BaseDBAsyncClient, marker: str) -> str:
    """A parameter marker taken as a 64-bit integer: PostgreSQL cannot tell a parameter's type
    inside arithmetic; SQLite's integers are 64-bit already."""
    return f"{marker}::bigint" if is_postgres(conn) else marker


def zero_padded(conn: BaseDBAsyncClient, prefix: str, number: str, digits: int) -> str:
    """The text `prefix` followed by the integer `number` padded with zeros to at least
    `digits` digits (`prefix` and `number` are SQL expressions)."""
    if is_postgres(conn):
        return (
            f"{prefix}::text || lpad({number}::text, "
            f"greatest({digits}, length({number}::text)), '0')"
        )
    return f"{prefix} || printf('%0{digits}d', {number})"


def writers_run_concurrently(conn: BaseDBAsyncClient) -> bool:
    """Whether transactions write side by side (PostgreSQL), or one after another (SQLite)."""
    return is_postgres(conn)


class _ArrayOf(Term):
    """`ARRAY(subquery)` (PostgreSQL)."""

    def __init__(self, subquery: Subquery) -> None:
        super().__init__()
        self.subquery = subquery

    def get_sql(self, ctx: SqlContext) -> str:
        return f"ARRAY({self.subquery.get_sql(ctx.copy(with_alias=False))})"


class InSubquery(Q):
    """`in_subquery` for the ORM's queries: `column IN (subquery)`, on PostgreSQL
    `column = ANY(ARRAY(subquery))`."""

    def __init__(self, column: str, subquery: QuerySet) -> None:
        super().__init__()
        self.column = column
        self.subquery = subquery

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        column = resolve_context.table[self.column]
        if not is_postgres(resolve_context.model._meta.db):
            return Q(**{f"{self.column}__in": Subquery(self.subquery)}).resolve(resolve_context)
        any_of = Function("ANY", _ArrayOf(Subquery(self.subquery)))
        return QueryModifier(where_criterion=BasicCriterion(Equality.eq, column, any_of))


def month_text(conn: BaseDBAsyncClient, column: str) -> str:
    """The 'YYYY-MM' of a date column, alike on both (SQLite stores dates as ISO text)."""
    if is_postgres(conn):
        return f"to_char({column}, 'YYYY-MM')"
    return f"substr({column}, 1, 7)"
