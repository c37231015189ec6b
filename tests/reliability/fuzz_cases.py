"""Generated requests for fuzzing the API, all from the served schema:

- schemathesis (GraphQL): for each query and mutation, documents with inline arguments, valid by
  type (positive) and invalid by type (negative);
- hostile variables: each operation with every argument as a variable, given values of any JSON
  shape, near-miss ids, impossible dates, extreme numbers, NUL characters, lone surrogates;
- edge values: each scalar or enum place of every argument, at the edges of its type (NUL
  characters, the last date there is, integers past 32 bits…) or of the wrong shape;
- malformed HTTP bodies.

Generation is deterministic (hypothesis `derandomize`), so CI sends the same requests each time.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import schemathesis
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from graph.schema import schema as strawberry_schema
from tests.reliability.schema_walk import (
    OMIT,
    Kind,
    MinimalValues,
    has_default,
    root_fields,
    root_type,
)


@dataclass(frozen=True, slots=True)
class FuzzRequest:
    source: str
    kind: str  # query, mutation, or raw (not a GraphQL document)
    operation: str
    body: bytes

    @classmethod
    def graphql(
        cls, source: str, kind: str, operation: str, document: str, variables: Any = None
    ) -> FuzzRequest:
        payload: dict[str, Any] = {"query": document}
        if variables is not None:
            payload["variables"] = variables
        return cls(source, kind, operation, json.dumps(payload).encode())


def _collect(strategy: st.SearchStrategy[Any], examples: int) -> list[Any]:
    """`examples` values drawn from the strategy, the same ones on every run."""
    drawn: list[Any] = []

    @given(value=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    return drawn


# Decimal travels as a string ("49.99"); schemathesis knows only the standard scalars.
DECIMAL_NODES = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(["0", "-1", "49.99", "12.345", "1e3", "x", ""]),
).map(schemathesis.graphql.nodes.String)


def schemathesis_requests(examples: int) -> list[FuzzRequest]:
    """Positive and negative schemathesis cases for every query and mutation."""
    schemathesis.graphql.scalar("Decimal", DECIMAL_NODES)
    schema = schemathesis.graphql.from_file(str(strawberry_schema))
    requests = []
    for root, kind in (("Query", "query"), ("Mutation", "mutation")):
        for name in schema[root]:
            operation = schema[root][name]
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for case in _collect(operation.as_strategy(generation_mode=mode), examples):
                    requests.append(
                        FuzzRequest.graphql(f"schemathesis {mode.value}", kind, name, case.body)
                    )
    return requests


IDS = st.sampled_from(["500", "900", "1", "0", "-1", "0500", " 500", "5e2", "9" * 30, "", "\x00"])
TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["\x00", "a\x00b", "\ud800", "%", "_", "\\", "' OR 1=1 --", "x" * 5000, "😀" * 10]
    ),
)
DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "2026-11-20T00:00"]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 200, 201, 2**31 - 1, 2**31, 1.5, float("1e308")]),
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXTS | IDS | DATES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


NEAR_SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "ID": IDS,
    "String": TEXTS,
    "Int": NUMBERS,
    "Float": NUMBERS,
    "Boolean": st.booleans(),
    "Date": DATES,
    "DateTime": DATES,
    "Decimal": st.one_of(NUMBERS, TEXTS),
}


def _values_for(type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    """Mostly values shaped as the type takes them (down to each input field), with values
    near the edges of what is valid; sometimes any JSON at all."""
    if isinstance(type_, GraphQLNonNull):
        near = _values_for(type_.of_type)
    elif isinstance(type_, GraphQLList):
        near = st.lists(_values_for(type_.of_type), max_size=3)
    elif isinstance(type_, GraphQLInputObjectType):
        fields = {name: _values_for(field.type) for name, field in type_.fields.items()}
        near = st.fixed_dictionaries({}, optional=fields)
    elif isinstance(type_, GraphQLEnumType):
        near = st.one_of(st.sampled_from(sorted(type_.values)), TEXTS)
    else:
        near = NEAR_SCALARS.get(getattr(type_, "name", ""), ANY_JSON)
    return st.one_of(near, near, near, ANY_JSON)


def _variable_type(arg: GraphQLArgument) -> str:
    """The argument's type; nullable where the argument has a default, so that a variable left
    out lets the default apply."""
    return str(arg.type).removesuffix("!") if has_default(arg) else str(arg.type)


def _fuzz_document(kind: str, name: str, args: dict[str, GraphQLArgument]) -> str:
    """The root field with every argument passed as a variable of the same name."""
    declared = ", ".join(f"${arg}: {_variable_type(spec)}" for arg, spec in args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in args)
    return f"{kind} Fuzz({declared}) {{ {name}({passed}) {{ __typename }} }}"


def variables_requests(schema: GraphQLSchema, examples: int) -> list[FuzzRequest]:
    """Every argument of every query and mutation as a variable, with hostile values."""
    requests = []
    for kind, name, args in _fields_with_arguments(schema):
        document = _fuzz_document(kind, name, args)
        values = st.fixed_dictionaries(
            {}, optional={arg: _values_for(spec.type) for arg, spec in args.items()}
        )
        for variables in _collect(values, examples):
            requests.append(
                FuzzRequest.graphql("hostile variables", kind, name, document, variables)
            )
    return requests


def _fields_with_arguments(
    schema: GraphQLSchema,
) -> Iterator[tuple[Kind, str, dict[str, GraphQLArgument]]]:
    """Every query and mutation that takes arguments: (kind, field name, its arguments)."""
    kinds: tuple[Kind, ...] = ("query", "mutation")
    for kind in kinds:
        root = root_type(schema, kind)
        assert root is not None
        for name in root_fields(schema, kind):
            if args := dict(root.fields[name].args):
                yield kind, name, args


EDGE_VALUES: dict[str, list[Any]] = {
    "String": ["", " ", "\x00", "a\x00b", "\ud800", "x" * 10_000, "😀", "%_\\", "' OR 1=1 --"],
    "ID": ["0", "-1", "5e2", "9" * 30, "\x00", "\ud800", "", " 500 ", "500\x00", 500],
    "Int": [0, -1, 2**31 - 1, -(2**31), 2**31, 1.5, "1"],
    "Float": [0, -1.5, 1e308, "1"],
    "Boolean": ["true", 0],
    "Date": ["9999-12-31", "9999-12-01", "0001-01-01", "2026-02-29", "2026-13-01", "", "20261120"],
    "DateTime": ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00", "not a time"],
    "Decimal": ["NaN", "Infinity", "1e999999", "-0.001", "x"],
}
WRONG_SHAPES: list[Any] = [None, {}, [], {"nested": "\x00"}]


def _leaves(
    type_: GraphQLInputType, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], GraphQLInputType]]:
    """Every scalar or enum place in an argument's type, with the path that reaches it."""
    if isinstance(type_, GraphQLNonNull):
        yield from _leaves(type_.of_type, path)
    elif isinstance(type_, GraphQLList):
        yield from _leaves(type_.of_type, (*path, 0))
    elif isinstance(type_, GraphQLInputObjectType):
        for name, field in sorted(type_.fields.items()):
            yield from _leaves(field.type, (*path, name))
    else:
        yield path, type_


def _set(variables: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A copy of the variables with the value at the path (made where missing)."""
    copy = json.loads(json.dumps(variables))
    here: Any = copy
    for step, following in itertools.pairwise(path):
        if isinstance(step, int):
            here[:] = [[] if isinstance(following, int) else {}]
            here = here[0]
        else:
            if not isinstance(here.get(step), dict | list):
                here[step] = [] if isinstance(following, int) else {}
            here = here[step]
    last = path[-1]
    if isinstance(last, int):
        here[:] = [value]
    else:
        here[last] = value
    return copy


def edge_requests(schema: GraphQLSchema, id_value: str) -> list[FuzzRequest]:
    """For every scalar or enum place in every argument of every query and mutation, the edge
    values of its type and values of the wrong shape, the other arguments valid."""
    requests = []
    for kind, name, args in _fields_with_arguments(schema):
        document = _fuzz_document(kind, name, args)
        minimal = MinimalValues(id_value, every_id=True)
        base = {
            arg: value
            for arg, spec in args.items()
            if (value := minimal.argument(spec)) is not OMIT
        }
        for arg, spec in args.items():
            for path, leaf in _leaves(spec.type, (arg,)):
                if isinstance(leaf, GraphQLEnumType):
                    edges = ["NOPE", "", sorted(leaf.values)[0].lower()]
                else:
                    edges = EDGE_VALUES.get(getattr(leaf, "name", ""), [])
                for value in edges + WRONG_SHAPES:
                    requests.append(
                        FuzzRequest.graphql(
                            "edge values", kind, name, document, _set(base, path, value)
                        )
                    )
    return requests


RAW_BODIES: list[Callable[[Any], bytes]] = [
    lambda value: json.dumps(value).encode(),
    lambda value: json.dumps({"query": value}).encode(),
    lambda value: json.dumps({"query": "{ viewer { userName } }", "variables": value}).encode(),
    lambda value: json.dumps({"query": "{ viewer { userName } }", "operationName": value}).encode(),
    lambda value: str(value).encode()[:2000],
]


def raw_requests(examples: int) -> list[FuzzRequest]:
    """Bodies that are not a well-formed GraphQL request."""
    shapes = st.tuples(st.integers(0, len(RAW_BODIES) - 1), ANY_JSON)
    fixed = [
        b"",
        b"{",
        b"null",
        b"[]",
        b'{"query": "{"}',
        b"\xff\xfe",
        b'{"query": "' + b"{" * 3000 + b'"}',
    ]
    requests = [FuzzRequest("malformed body", "raw", "-", body) for body in fixed]
    for shape, value in _collect(shapes, examples):
        requests.append(FuzzRequest("malformed body", "raw", "-", RAW_BODIES[shape](value)))
    return requests
