"""The dashboard's one GraphQL client: transport, errors in words, and one function per operation.

Every function takes a `GraphQLClient` and returns typed records (`dashboard.models`). A failure
of the transport, the token or a permission raises an `ApiError` whose text is fit to show as is;
a business rule that refuses a mutation comes back as values in a `MutationResult`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import httpx

from dashboard.models import (
    Client,
    ClientAccount,
    Invoice,
    InvoiceKpis,
    InvoicePage,
    InvoiceRun,
    MutationResult,
    RunPlan,
    UserError,
    Viewer,
)

DEFAULT_API_URL = "http://127.0.0.1:8000/graphql"
# The server refuses a larger `first`.
MAX_PAGE_SIZE = 200


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


class GraphQLClient:
    """Posts GraphQL documents to one endpoint with one bearer token."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        http: httpx.Client | None = None,
        timeout_seconds: float = 20.0,
    ) -> None:
        self.url = url
        self.token = token or None
        self.timeout_seconds = timeout_seconds
        self._http = http or httpx.Client()

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of the answer; raises `ApiError` for anything else."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self._http.post(
                self.url,
                json={"query": document, "variables": dict(variables or {})},
                headers=headers,
                timeout=self.timeout_seconds,
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
        return self._data_of(response)

    def _data_of(self, response: httpx.Response) -> dict[str, Any]:
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


CLIENT_FIELDS = "id name email status blocked billingUrl"

INVOICE_FIELDS = f"""
  id number displayNumber issuedOn dueOn currency total balance status emailedAt previewUrl
  client {{ {CLIENT_FIELDS} }}
  actions {{
    view {{ allowed reason }} send {{ allowed reason }}
    void {{ allowed reason }} delete {{ allowed reason }}
  }}
"""

INVOICE_CONNECTION = f"""
  totalCount
  pageInfo {{ hasNextPage endCursor }}
  edges {{ node {{ {INVOICE_FIELDS} }} }}
"""

RUN_FIELDS = f"""
  id billingDate status trigger review createdAt startedAt finishedAt
  clientsTotal clientsProcessed invoicesIssued amountIssued emailFailures
  client {{ {CLIENT_FIELDS} }}
  errors {{ stage message client {{ name }} }}
"""

USER_ERRORS = "errors { code message field }"


def user_errors(payload: Mapping[str, Any]) -> list[UserError]:
    return [UserError.from_json(error) for error in payload["errors"]]


def fetch_viewer(api: GraphQLClient) -> Viewer:
    """Who the token belongs to: name, tenant, permissions, environment and currency."""
    data = api.execute(
        "query Viewer { viewer { userName tenantName permissions environment currency } }"
    )
    return Viewer.from_json(data["viewer"])


def fetch_kpis(api: GraphQLClient) -> InvoiceKpis:
    """The KPI cards and the totals by status."""
    data = api.execute(
        """query InvoiceKpis {
          invoiceKpis {
            totalInvoices outstandingBalance paidInvoices currency
            byStatus { status count total balance }
          }
        }"""
    )
    return InvoiceKpis.from_json(data["invoiceKpis"])


def invoice_filter(
    search: str | None = None, client_id: str | None = None, run_id: str | None = None
) -> dict[str, Any]:
    """An `InvoiceFilter` input with only the parts given."""
    parts = {"search": search or None, "clientId": client_id, "runId": run_id}
    return {name: value for name, value in parts.items() if value is not None}


def fetch_invoice_page(
    api: GraphQLClient,
    *,
    criteria: Mapping[str, Any] | None = None,
    first: int = 25,
    after: str | None = None,
) -> InvoicePage:
    """One page of the tenant's invoices, newest first, cut by the server."""
    data = api.execute(
        f"""query InvoicePage($filter: InvoiceFilter, $first: Int!, $after: String) {{
          invoices(filter: $filter, first: $first, after: $after) {{ {INVOICE_CONNECTION} }}
        }}""",
        {"filter": dict(criteria or {}), "first": first, "after": after},
    )
    return InvoicePage.from_json(data["invoices"])


def iter_invoices(
    api: GraphQLClient, *, criteria: Mapping[str, Any] | None = None
) -> Iterator[Invoice]:
    """Every invoice matching `criteria`, fetched page by page."""
    after: str | None = None
    while True:
        page = fetch_invoice_page(api, criteria=criteria, first=MAX_PAGE_SIZE, after=after)
        yield from page.invoices
        if not page.has_next_page:
            return
        after = page.end_cursor


def search_clients(api: GraphQLClient, search: str | None = None, first: int = 20) -> list[Client]:
    """Clients whose name contains `search` (case-insensitive), for a picker."""
    data = api.execute(
        f"""query Clients($search: String, $first: Int!) {{
          clients(search: $search, first: $first) {{ {CLIENT_FIELDS} }}
        }}""",
        {"search": search or None, "first": first},
    )
    return [Client.from_json(client) for client in data["clients"]]


def fetch_run_plan(
    api: GraphQLClient, *, billing_date: date | None = None, client_id: str | None = None
) -> RunPlan:
    """Run date, due and grace dates, the lock, the safety lock and the number of clients for a
    run started now."""
    data = api.execute(
        f"""query RunPlan($billingDate: Date, $clientId: ID) {{
          invoiceRunPlan(billingDate: $billingDate, clientId: $clientId) {{
            runDate locked dueDate graceDate manualRunAllowed blockedReason review
            eligibleClients client {{ {CLIENT_FIELDS} }}
          }}
        }}""",
        {"billingDate": billing_date.isoformat() if billing_date else None, "clientId": client_id},
    )
    return RunPlan.from_json(data["invoiceRunPlan"])


def fetch_client(api: GraphQLClient, client_id: str) -> Client:
    """One client by id (raises `NotFound` for an id the tenant does not have)."""
    plan = fetch_run_plan(api, client_id=client_id)
    if plan.client is None:
        raise NotFound("No such client.")
    return plan.client


def fetch_run(api: GraphQLClient, run_id: str) -> InvoiceRun:
    """A run's status, progress, totals and errors."""
    data = api.execute(
        f"query InvoiceRun($id: ID!) {{ invoiceRun(id: $id) {{ {RUN_FIELDS} }} }}",
        {"id": run_id},
    )
    if data["invoiceRun"] is None:
        raise NotFound(f"Run {run_id} does not exist.")
    return InvoiceRun.from_json(data["invoiceRun"])


def fetch_run_invoices(
    api: GraphQLClient, run_id: str, *, first: int = 25, after: str | None = None
) -> InvoicePage:
    """One page of the invoices a run made (its drafts while it awaits review)."""
    data = api.execute(
        f"""query RunInvoices($id: ID!, $first: Int!, $after: String) {{
          invoiceRun(id: $id) {{
            invoices(first: $first, after: $after) {{ {INVOICE_CONNECTION} }}
          }}
        }}""",
        {"id": run_id, "first": first, "after": after},
    )
    if data["invoiceRun"] is None:
        raise NotFound(f"Run {run_id} does not exist.")
    return InvoicePage.from_json(data["invoiceRun"]["invoices"])


def fetch_recent_runs(api: GraphQLClient, first: int = 10) -> list[InvoiceRun]:
    """The tenant's latest runs, newest first."""
    data = api.execute(
        f"""query RecentRuns($first: Int!) {{
          invoiceRuns(first: $first) {{ edges {{ node {{ {RUN_FIELDS} }} }} }}
        }}""",
        {"first": first},
    )
    return [InvoiceRun.from_json(edge["node"]) for edge in data["invoiceRuns"]["edges"]]


def start_run(
    api: GraphQLClient,
    *,
    billing_date: date | None,
    client_id: str | None = None,
    review: bool | None = None,
) -> MutationResult[InvoiceRun]:
    """Queue a run; the workers process it (follow it with `fetch_run`)."""
    data = api.execute(
        f"""mutation RunBulk($input: RunBulkInput!) {{
          runBulk(input: $input) {{ run {{ {RUN_FIELDS} }} {USER_ERRORS} }}
        }}""",
        {
            "input": {
                "billingDate": billing_date.isoformat() if billing_date else None,
                "clientId": client_id,
                "review": review,
            }
        },
    )
    payload = data["runBulk"]
    run = InvoiceRun.from_json(payload["run"]) if payload["run"] else None
    return MutationResult(run, user_errors(payload))


def void_invoice(
    api: GraphQLClient, invoice_id: str, *, reset_service_schedule: bool, reason: str | None
) -> MutationResult[Invoice]:
    """Void an unpaid invoice, optionally moving its services' schedule back for re-issue."""
    data = api.execute(
        f"""mutation VoidInvoice($input: VoidInvoiceInput!) {{
          voidInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} }} {USER_ERRORS} }}
        }}""",
        {
            "input": {
                "id": invoice_id,
                "resetServiceSchedule": reset_service_schedule,
                "reason": reason or None,
            }
        },
    )
    return invoice_result(data["voidInvoice"])


def send_invoice(api: GraphQLClient, invoice_id: str) -> MutationResult[Invoice]:
    """Email the invoice to its client now."""
    data = api.execute(
        f"""mutation SendInvoice($input: SendInvoiceInput!) {{
          sendInvoice(input: $input) {{ invoice {{ {INVOICE_FIELDS} }} {USER_ERRORS} }}
        }}""",
        {"input": {"id": invoice_id}},
    )
    return invoice_result(data["sendInvoice"])


def delete_invoice(api: GraphQLClient, invoice_id: str) -> MutationResult[str]:
    """Remove the invoice for good (the API allows it in development only)."""
    data = api.execute(
        f"""mutation DeleteInvoice($input: DeleteInvoiceInput!) {{
          deleteInvoice(input: $input) {{ deletedId {USER_ERRORS} }}
        }}""",
        {"input": {"id": invoice_id}},
    )
    payload = data["deleteInvoice"]
    return MutationResult(payload["deletedId"], user_errors(payload))


def finalize_run(api: GraphQLClient, run_id: str) -> MutationResult[InvoiceRun]:
    """Issue the drafts of a run awaiting review."""
    data = api.execute(
        f"""mutation FinalizeRun($input: InvoiceRunInput!) {{
          finalizeInvoiceRun(input: $input) {{ run {{ {RUN_FIELDS} }} {USER_ERRORS} }}
        }}""",
        {"input": {"runId": run_id}},
    )
    return run_result(data["finalizeInvoiceRun"])


def discard_run(api: GraphQLClient, run_id: str) -> MutationResult[InvoiceRun]:
    """Throw away the drafts of a run awaiting review."""
    data = api.execute(
        f"""mutation DiscardRun($input: InvoiceRunInput!) {{
          discardInvoiceRun(input: $input) {{ run {{ {RUN_FIELDS} }} {USER_ERRORS} }}
        }}""",
        {"input": {"runId": run_id}},
    )
    return run_result(data["discardInvoiceRun"])


def invoice_result(payload: Mapping[str, Any]) -> MutationResult[Invoice]:
    invoice = Invoice.from_json(payload["invoice"]) if payload["invoice"] else None
    return MutationResult(invoice, user_errors(payload))


def run_result(payload: Mapping[str, Any]) -> MutationResult[InvoiceRun]:
    run = InvoiceRun.from_json(payload["run"]) if payload["run"] else None
    return MutationResult(run, user_errors(payload))


def fetch_client_account(api: GraphQLClient, client_id: str) -> ClientAccount:
    """The client's services (next to bill first) and pending one-time charges."""
    data = api.execute(
        """query ClientAccount($clientId: ID!) {
          client(id: $clientId) {
            services {
              id description price quantity period nextBillDate status billable autoEmail
            }
            pendingCharges { id description amount scheduledOn }
          }
        }""",
        {"clientId": client_id},
    )
    client = data["client"]
    if client is None:
        raise NotFound("No such client.")
    return ClientAccount.from_json(client)
