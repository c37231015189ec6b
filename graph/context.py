"""What every resolver gets in `info.context`: the viewer, the settings, the job queue and the
DataLoaders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension

from billing.dates import today_in
from graph.auth import Viewer
from graph.jobs import Jobs
from graph.loaders import Loaders
from ispbox.config import Settings
from orm.models import Tenant


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    jobs: Jobs
    # None only on a websocket whose connection_init has not been accepted yet.
    viewer: Viewer | None
    # The connection_init payload of a websocket (set by Strawberry).
    connection_params: dict[str, Any] | None = None
    _loaders: Loaders | None = field(default=None, repr=False)
    _today: date | None = field(default=None, repr=False)

    @property
    def authenticated_viewer(self) -> Viewer:
        if self.viewer is None:
            raise PermissionError("no authenticated viewer")
        return self.viewer

    @property
    def tenant(self) -> Tenant:
        return self.authenticated_viewer.tenant

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.tenant.id)
        return self._loaders

    def refresh(self) -> None:
        """Forget what the loaders cached and which day it is: the next operation on a
        websocket, or a subscription's next event, must see current data."""
        self._loaders = None
        self._today = None

    @property
    def public_url(self) -> str:
        """Where browsers reach the API: the configured address, else the one this request
        came to (so links work whatever host and port the server listens on)."""
        if self.settings.public_url:
            return self.settings.public_url
        base = self.request.base_url
        # A websocket's own address (ws://, wss://) is reached over http(s) by browsers.
        scheme = {"ws": "http", "wss": "https"}.get(base.scheme, base.scheme)
        return str(base.replace(scheme=scheme)).rstrip("/")

    @property
    def today(self) -> date:
        """Today in the tenant's timezone, fixed for the request."""
        if self._today is None:
            self._today = today_in(self.tenant.timezone)
        return self._today


Info: TypeAlias = strawberry.Info[Context, None]


class FreshContext(SchemaExtension):
    """Each operation starts with empty caches: the operations of one websocket share a context."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.refresh()
        yield
