"""How the dashboard reaches the GraphQL API: one HTTP transport, and its failures in words.

The typed client generated from `schema.graphql` and `dashboard/queries`
(`dashboard.graphql_client`) is built on `GraphQLTransport`. A failure of the transport, the
token or a permission raises an `ApiError` whose text is fit to show as is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx


class ApiError(Exception):
    """The API could not answer; the text says why, for people."""


class ApiUnreachable(ApiError):
    """No answer from the API's address."""


class TokenRefused(ApiError):
    """The API answered 401: no token, or an unknown or revoked one."""


class PermissionMissing(ApiError):
    """The token is valid but lacks a permission (FORBIDDEN)."""


class NotFound(ApiError):
    """An id that the tenant does not have."""


class InvalidRequest(ApiError):
    """An argument the API refused (INVALID_INPUT)."""


class GraphQLTransport:
    """Posts GraphQL operations to one endpoint with one bearer token."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        http: httpx.Client | None = None,
        timeout_seconds: float = 20.0,
        after_mutation: Callable[[], None] | None = None,
    ) -> None:
        self.url = url
        self.token = token or None
        self.timeout_seconds = timeout_seconds
        self._http = http or httpx.Client()
        # Told after every mutation sent, whatever its outcome: figures kept for a while
        # (dashboard.cache) are then read again.
        self._after_mutation = after_mutation

    def post(
        self, document: str, operation_name: str | None, variables: Mapping[str, Any]
    ) -> httpx.Response:
        """The API's answer to one operation; raises `ApiUnreachable` where there is none."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        body = {"query": document, "operationName": operation_name, "variables": dict(variables)}
        try:
            return self._http.post(
                self.url, json=body, headers=headers, timeout=self.timeout_seconds
            )
        except httpx.TimeoutException as error:
            raise ApiUnreachable(
                f"The billing API at {self.url} did not answer within "
                f"{self.timeout_seconds:g} seconds. Try again in a moment."
            ) from error
        except httpx.HTTPError as error:
            raise ApiUnreachable(
                f"Cannot reach the billing API at {self.url}. Check that it is running "
                "(`ispbox serve`) and that ISPBOX_API_URL points to it."
            ) from error
        finally:
            if self._after_mutation is not None and document.lstrip().startswith("mutation"):
                self._after_mutation()

    def get_document(self, url: str) -> bytes:
        """The file behind one of the API's signed document links (they carry their own
        signature: no token is sent); raises `ApiError` with the reason where it is not given."""
        try:
            response = self._http.get(url, timeout=self.timeout_seconds)
        except httpx.HTTPError as error:
            raise ApiUnreachable(f"Cannot reach {url}: {error}") from error
        if response.status_code != 200:
            reason = response.text.strip()[:200] or f"HTTP {response.status_code}"
            raise ApiError(f"The API refused the document (HTTP {response.status_code}): {reason}")
        return response.content

    def get_data(self, response: httpx.Response) -> dict[str, Any]:
        """The `data` of the answer; raises `ApiError` for anything else."""
        if response.status_code == 401:
            raise TokenRefused(self._refusal_message())
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
            raise ApiError(
                f"The address {self.url} answered HTTP {response.status_code}, but not as the "
                "billing API. Check ISPBOX_API_URL."
            )
        if body.get("errors"):
            raise error_from_graphql(body["errors"][0])
        if response.status_code >= 400 or body.get("data") is None:
            raise ApiError(
                f"The billing API failed (HTTP {response.status_code}). Try again; if it keeps "
                "failing, look at the API's log."
            )
        return body["data"]

    def _refusal_message(self) -> str:
        if self.token is None:
            return "No API token: enter your API token in the sidebar."
        return (
            "The API refused the token (HTTP 401): it is unknown or has been revoked. "
            "Enter a valid API token in the sidebar."
        )


def error_from_graphql(error: Mapping[str, Any]) -> ApiError:
    """The exception for a top-level GraphQL error, by its `extensions.code`."""
    message = str(error.get("message") or "The billing API refused the request.")
    code = (error.get("extensions") or {}).get("code")
    if code == "FORBIDDEN":
        return PermissionMissing(f"Permission missing: {message}")
    if code == "UNAUTHENTICATED":
        return TokenRefused(message)
    if code == "NOT_FOUND":
        return NotFound(message)
    if code == "INVALID_INPUT":
        return InvalidRequest(f"The API refused the request: {message}")
    return ApiError(f"The billing API reported an error: {message}")
