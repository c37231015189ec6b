"""The ASGI application: GraphQL over HTTP and websocket at /graphql, health, invoice previews,
PDFs and e-invoices;
every response carries its request id."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from graph.access_log import redact_access_log
from graph.auth import authenticate
from graph.context import Context
from graph.documents import credit_note_pdf_file, invoice_einvoice, invoice_pdf_file
from graph.graphiql import graphiql_assets, graphiql_page
from graph.jobs import Jobs
from graph.limits import RequestLimits
from graph.preview import credit_note_preview, invoice_preview
from graph.request_id import RequestIdMiddleware
from graph.schema import schema
from graph.sockets import CheckedTransportWSHandler, CheckedWSHandler
from graph.stripe_webhook import stripe_webhook
from ispbox.config import Settings, get_settings
from orm.db import close_database, connection, open_database

UNAUTHENTICATED_MESSAGE = "Authentication required: send `Authorization: Bearer <api token>`."


def unauthenticated() -> JSONResponse:
    error = {"message": UNAUTHENTICATED_MESSAGE, "extensions": {"code": "UNAUTHENTICATED"}}
    return JSONResponse(
        {"message": UNAUTHENTICATED_MESSAGE, "errors": [error]},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


class GraphQLApp(GraphQL):
    """Strawberry's view, with the caller authenticated before any operation runs: HTTP requests
    without a valid token get 401, websockets are refused at connection_init (4403)."""

    # Websockets check their token again before each operation (closing with 4401 once revoked).
    graphql_transport_ws_handler_class = CheckedTransportWSHandler
    graphql_ws_handler_class = CheckedWSHandler

    def __init__(self, settings: Settings, jobs: Jobs) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
        )
        self.settings = settings
        self.jobs = jobs

    def _asks_for_ide(self, scope: Scope) -> bool:
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        return bool(self.graphql_ide) and scope["method"] == "GET" and b"text/html" in accept

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._asks_for_ide(scope):
            request = Request(scope, receive)
            viewer = await authenticate(
                request.headers.get("authorization"), self.settings.signing_key
            )
            if viewer is None:
                await unauthenticated()(scope, receive, send)
                return
            request.state.viewer = viewer
        await super().__call__(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL, with its assets served by this API (see graph/graphiql)."""
        return HTMLResponse(graphiql_page(request.scope.get("root_path", "")))

    def parse_json(self, data: str | bytes) -> Any:
        """The request's JSON; a value other than an object (or a list, refused as a batch) is
        refused with 400 here, where Strawberry would fail on it with 500."""
        try:
            parsed = super().parse_json(data)
        except UnicodeDecodeError as error:
            raise HTTPException(400, "The request body must be UTF-8 JSON.") from error
        except RecursionError as error:
            raise HTTPException(400, "The request body is nested too deeply.") from error
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return parsed

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        if isinstance(request, WebSocket):
            viewer = await authenticate(
                request.headers.get("authorization"), self.settings.signing_key
            )
        else:
            viewer = getattr(request.state, "viewer", None)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            jobs=self.jobs,
            viewer=viewer,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        if context.viewer is None:
            params = context.connection_params or {}
            authorization = params.get("Authorization", params.get("authorization"))
            context.viewer = await authenticate(authorization, self.settings.signing_key)
        if context.viewer is None:
            raise ConnectionRejectionError({"message": UNAUTHENTICATED_MESSAGE})
        return UNSET


async def health(request: Request) -> Response:
    """200 while the database answers, 503 otherwise."""
    try:
        await connection().execute_query("SELECT 1")
    except Exception:  # whatever the database's failure, the answer is "not healthy"
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


# Work a process runs beside the API while it serves (the embedded workers), entered once the
# database is open and left before it closes.
Background = Callable[[], AbstractAsyncContextManager[None]]


def create_app(
    settings: Settings | None = None,
    *,
    jobs: Jobs | None = None,
    background: Background | None = None,
    manage_database: bool = True,
) -> Starlette:
    """The application. `jobs` queues work for the workers (on the process's current broker
    where none is given); `manage_database=False` where the caller has opened the database
    already. Which workers run, and where, is the process's choice (`ispbox.server`), not the
    API's."""
    settings = settings or get_settings()
    settings.check_ready_to_start()
    graphql = GraphQLApp(settings, jobs or Jobs(None, settings.queue_prefix))
    redact_access_log()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await open_database(settings.database_url)
        try:
            async with background() if background else nullcontext():
                yield
        finally:
            if manage_database:
                await close_database()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health, methods=["GET"]),
            Route("/invoices/{invoice_id}/preview", invoice_preview, methods=["GET"]),
            Route("/credit-notes/{credit_note_id}/preview", credit_note_preview, methods=["GET"]),
            Route("/credit-notes/{credit_note_id}/pdf", credit_note_pdf_file, methods=["GET"]),
            Route("/invoices/{invoice_id}/pdf", invoice_pdf_file, methods=["GET"]),
            Route("/invoices/{invoice_id}/einvoice.xml", invoice_einvoice, methods=["GET"]),
            Route("/stripe/webhook", stripe_webhook, methods=["POST"]),
            *([graphiql_assets()] if graphql.graphql_ide else []),
        ],
        # The request id is outermost, so that a refusal by the limits carries one too.
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(RequestLimits, settings=settings),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
