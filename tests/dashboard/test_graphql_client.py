"""The dashboard's GraphQL operations hold against the API's schema, and its typed client is the
one they generate: a schema change that breaks the dashboard fails here, not on a page."""

from __future__ import annotations

import filecmp
import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

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
        f'"{name}" = {json.dumps(value)}'
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
