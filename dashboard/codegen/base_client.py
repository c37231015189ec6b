"""The generated client's base class: its operations go through the dashboard's transport.

ariadne-codegen copies this file into `dashboard/graphql_client/` as `base_client.py`.
"""

from typing import Any

import httpx
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from dashboard.transport import GraphQLTransport

from .base_model import UNSET


class BillingApiBase(GraphQLTransport):
    """Sends each generated operation with its variables as JSON (arguments left out unsent)."""

    # No **kwargs: an argument an operation does not have fails here instead of going unsent.
    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
    ) -> httpx.Response:
        sent = {
            name: json_value(value)
            for name, value in (variables or {}).items()
            if value is not UNSET
        }
        return self.post(query, operation_name, to_jsonable_python(sent))


def json_value(value: Any) -> Any:
    """An input object as the API names its fields; other values as they are."""
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [json_value(item) for item in value]
    return value
