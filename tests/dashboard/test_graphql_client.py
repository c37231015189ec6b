"""The dashboard's GraphQL operations hold against the API's schema, and its typed client is the
one they generate: a schema change that breaks the dashboard fails here, not on a page. The
client sends its variables and reads its answers as the schema spells them."""

from __future__ import annotations

import filecmp
import json
import subprocess
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    Visitor,
    build_schema,
    parse,
    validate,
    visit,
)
from graphql.validation import NoUnusedFragmentsRule

from dashboard.api import GraphQLClient, fetch_invoice_page, fetch_kpis, invoice_filter, start_run
from dashboard.models import InvoiceStatus
from tests.support.services import under_ci

REPOSITORY = Path(__file__).resolve().parents[2]
SCHEMA = REPOSITORY / "schema.graphql"
QUERIES = REPOSITORY / "dashboard" / "queries"
FRAGMENTS = QUERIES / "fragments.graphql"
GENERATED_CLIENT = REPOSITORY / "dashboard" / "graphql_client"
CODEGEN = REPOSITORY / ".venv-codegen" / "bin" / "ariadne-codegen"
REGENERATE = "scripts/setup, then .venv-codegen/bin/ariadne-codegen"
OPERATIONS = sorted(path for path in QUERIES.glob("*.graphql") if path != FRAGMENTS)


def schema_errors(operation: Path) -> list[GraphQLError]:
    """What the API's schema refuses in the operation and the fragments it spreads."""
    schema = build_schema(SCHEMA.read_text())
    document = parse(operation.read_text())
    fragments = fragments_spread_by(document, fragment_definitions())
    return validate(schema, DocumentNode(definitions=(*document.definitions, *fragments)))


def fragment_definitions() -> dict[str, FragmentDefinitionNode]:
    """The shared fragments (dashboard/queries/fragments.graphql) by name."""
    definitions = parse(FRAGMENTS.read_text()).definitions
    return {
        node.name.value: node for node in definitions if isinstance(node, FragmentDefinitionNode)
    }


def fragments_spread_by(
    node: Node, fragments: dict[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    """The fragments `node` spreads, and those they spread in turn."""
    found: dict[str, FragmentDefinitionNode] = {}
    waiting = [node]
    while waiting:
        for name in spread_names(waiting.pop()):
            if name in fragments and name not in found:
                found[name] = fragments[name]
                waiting.append(fragments[name])
    return list(found.values())


def spread_names(node: Node) -> set[str]:
    names: set[str] = set()

    class SpreadCollector(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.add(spread.name.value)

    visit(node, SpreadCollector())
    return names


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda path: path.stem)
def test_operation_holds_against_the_schema(operation: Path):
    assert [error.message for error in schema_errors(operation)] == []


def test_every_fragment_is_used_by_an_operation():
    schema = build_schema(SCHEMA.read_text())
    everything = "\n".join(path.read_text() for path in [*OPERATIONS, FRAGMENTS])

    errors = validate(schema, parse(everything), [NoUnusedFragmentsRule])

    assert [error.message for error in errors] == []


def test_generated_client_is_what_the_schema_and_queries_make(tmp_path: Path):
    require_codegen()
    config = tmp_path / "pyproject.toml"
    config.write_text(codegen_config(target=tmp_path))

    generated = subprocess.run(
        [str(CODEGEN), "--config", str(config)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert generated.returncode == 0, generated.stdout[-2000:] + generated.stderr[-2000:]

    stale = differing_modules(GENERATED_CLIENT, tmp_path / GENERATED_CLIENT.name)
    assert stale == [], f"dashboard/graphql_client is out of date; regenerate it: {REGENERATE}"


def require_codegen() -> None:
    """Skip without the generator's virtualenv, except under CI, where that is a failure."""
    if CODEGEN.exists():
        return
    message = f"the client generator is not installed in .venv-codegen ({REGENERATE})"
    if under_ci():
        pytest.fail(f"{message}; CI must check the generated client")
    pytest.skip(message)


def codegen_config(target: Path) -> str:
    """The repository's [tool.ariadne-codegen], generating into `target` instead."""
    settings = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["ariadne-codegen"]
    return toml_tables(
        {"tool": {"ariadne-codegen": {**settings, "target_package_path": str(target)}}}
    )


def toml_tables(tables: dict[str, Any], prefix: str = "") -> str:
    """TOML for nested tables of strings, booleans, numbers and lists (JSON spells those alike)."""
    values = [
        f"{json.dumps(name)} = {json.dumps(value)}"
        for name, value in tables.items()
        if not isinstance(value, dict)
    ]
    text = (f"[{prefix}]\n" if prefix and values else "") + "".join(f"{line}\n" for line in values)
    for name, value in tables.items():
        if isinstance(value, dict):
            text += toml_tables(
                value, f"{prefix}.{json.dumps(name)}" if prefix else json.dumps(name)
            )
    return text


def differing_modules(committed: Path, regenerated: Path) -> list[str]:
    """The modules missing, extra or changed in `committed` against `regenerated`."""
    names = {path.name for path in committed.glob("*.py")} | {
        path.name for path in regenerated.glob("*.py")
    }
    _, mismatch, errors = filecmp.cmpfiles(committed, regenerated, sorted(names), shallow=False)
    return sorted(mismatch + errors)


class RecordingApi:
    """An API that records each request's body and answers every one with `data`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.bodies: list[dict[str, Any]] = []

    def client(self) -> GraphQLClient:
        http = httpx.Client(transport=httpx.MockTransport(self.answer))
        return GraphQLClient("http://billing.test/graphql", "token", http=http)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"data": self.data})


def test_invoice_search_sends_its_filter_as_the_schema_names_it():
    page = {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}
    api = RecordingApi({"invoices": page})

    fetch_invoice_page(api.client(), criteria=invoice_filter(search="Ada", client_id="7"), first=5)

    [body] = api.bodies
    assert body["operationName"] == "FetchInvoicePage"
    assert body["variables"] == {
        "filter": {"search": "Ada", "clientId": "7"},
        "first": 5,
        "after": None,
    }


def test_run_start_sends_its_billing_date_as_an_iso_date():
    api = RecordingApi({"runBulk": {"run": None, "errors": []}})

    start_run(api.client(), billing_date=date(2026, 12, 1), client_id="7", review=True)

    [body] = api.bodies
    assert body["variables"] == {
        "input": {"billingDate": "2026-12-01", "clientId": "7", "review": True}
    }


def test_amounts_arrive_as_decimals_with_the_currency_digits():
    kpis = {
        "totalInvoices": 3,
        "outstandingBalance": "12.340",
        "paidInvoices": 1,
        "currency": "BHD",
        "byStatus": [{"status": "UNPAID", "count": 2, "total": "20.000", "balance": "12.340"}],
    }

    answer = fetch_kpis(RecordingApi({"invoiceKpis": kpis}).client())

    assert answer.outstanding_balance == Decimal("12.340")
    assert str(answer.by_status[0].total) == "20.000"
    assert answer.by_status[0].status is InvoiceStatus.UNPAID
