"""Model instances from rows read with hand-written SQL, for statements on every request where
the query builder's own cost shows."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.models import Model

M = TypeVar("M", bound=Model)


def select_columns(model: type[Model], alias: str) -> str:
    """The model's columns for a SELECT, each named `<alias>__<column>`."""
    columns = model._meta.db_fields
    return ", ".join(f'{alias}."{column}" AS "{alias}__{column}"' for column in columns)


def model_from_row(model: type[M], row: dict[str, Any], alias: str) -> M:
    """The stored model instance whose columns `select_columns(model, alias)` read."""
    prefix = f"{alias}__"
    # The ORM's own constructor for stored rows: values are converted as in any ORM query.
    return model._init_from_db(**{column: row[prefix + column] for column in model._meta.db_fields})
