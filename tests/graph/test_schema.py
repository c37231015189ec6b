"""The exported schema.graphql matches the code, and the code keeps every part of the contract:
schema.graphql, and receivables.graphql read with it for every name served so far."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from pathlib import Path

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    is_non_null_type,
    print_ast,
)

from billing.errors import ErrorCode as BillingErrorCode
from graph.export import SCHEMA_FILE, exported_sdl
from graph.schema import schema
from graph.types import enums as api_enums
from orm.models import enums as stored

CONTRACT_FOLDER = Path(__file__).parents[2] / ".." / "shared" / "contract"
CONTRACT = CONTRACT_FOLDER / "schema.graphql"
RECEIVABLES = CONTRACT_FOLDER / "receivables.graphql"

# Names of receivables.graphql that belong to work not built yet, by the part they belong to. A
# name leaves this list when it is served; served with another type or argument, it fails.
NOT_YET_SERVED: frozenset[str] = frozenset()


def test_schema_graphql_is_exported_from_the_code() -> None:
    assert SCHEMA_FILE.exists(), "run `python -m graph.export`"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == exported_sdl(), (
        "schema.graphql differs from the code: run `python -m graph.export`"
    )


def test_the_exported_file_builds_the_same_schema() -> None:
    assert exported_sdl() == f"{str(schema).rstrip()}\n"
    build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


def full_contract() -> GraphQLSchema:
    """schema.graphql with receivables.graphql, whose `extend`s add to it: one schema."""
    texts = [path.read_text(encoding="utf-8") for path in (CONTRACT, RECEIVABLES)]
    return build_schema("\n".join(texts))


def serves(schema: GraphQLSchema, name: str) -> bool:
    """Whether the schema has this type, `Type.member` (field, input field or enum value) or
    `Type.field(argument)`."""
    type_name, _, member = name.partition(".")
    found = schema.type_map.get(type_name)
    if found is None or not member:
        return found is not None
    field_name, _, argument = member.rstrip(")").partition("(")
    if isinstance(found, GraphQLEnumType):
        return not argument and field_name in found.values
    fields = getattr(found, "fields", {})
    if field_name not in fields:
        return False
    return not argument or argument in getattr(fields[field_name], "args", {})


def contract_problems(
    contract: GraphQLSchema, ours: GraphQLSchema, not_yet_served: frozenset[str] = frozenset()
) -> list[str]:
    """Every contract type, field, argument, input field and enum value missing from `ours` or
    typed differently there, and every argument or input field of ours that the contract's
    callers could not leave out; names in `not_yet_served` are passed over."""
    problems: list[str] = []
    for name, wanted in contract.type_map.items():
        if name.startswith("__") or name in not_yet_served:
            continue
        found = ours.type_map.get(name)
        if found is None:
            problems.append(f"type {name} is missing")
        elif type(found) is not type(wanted):
            problems.append(f"{name} is a {type(found).__name__}, not a {type(wanted).__name__}")
        else:
            problems += _member_problems(name, wanted, found, not_yet_served)
    for operation in ("query_type", "mutation_type", "subscription_type"):
        wanted_root, found_root = getattr(contract, operation), getattr(ours, operation)
        if wanted_root and (found_root is None or found_root.name != wanted_root.name):
            problems.append(f"the {operation} is not {wanted_root.name}")
    return problems


def default_of(argument: GraphQLArgument | GraphQLInputField) -> str | None:
    """An argument's or input field's default as written in SDL; None where it has none."""
    default = argument.default
    if default is None:
        return None
    if default.literal is not None:
        return print_ast(default.literal)
    return repr(default.value)


def _member_problems(
    name: str, wanted: GraphQLNamedType, found: GraphQLNamedType, skipped: frozenset[str]
) -> list[str]:
    if isinstance(wanted, GraphQLObjectType | GraphQLInterfaceType):
        return _field_problems(name, wanted, found, skipped)  # type: ignore[arg-type]
    if isinstance(wanted, GraphQLInputObjectType):
        return _input_problems(name, wanted, found, skipped)  # type: ignore[arg-type]
    if isinstance(wanted, GraphQLEnumType):
        assert isinstance(found, GraphQLEnumType)
        return [
            f"{name}.{value} is missing"
            for value in wanted.values
            if value not in found.values and f"{name}.{value}" not in skipped
        ]
    return []


def required_extras(
    wanted: Mapping[str, object], ours: Mapping[str, GraphQLArgument | GraphQLInputField]
) -> list[str]:
    """Arguments or input fields of ours that the contract does not name and a caller must send."""
    return [
        name
        for name, member in ours.items()
        if name not in wanted and is_non_null_type(member.type) and member.default is None
    ]


def _value_problem(
    where: str,
    wanted: GraphQLArgument | GraphQLInputField,
    ours: GraphQLArgument | GraphQLInputField | None,
) -> str | None:
    """How our argument or input field differs from the contract's: missing, of another type, or
    with another default; None where it is the same."""
    if ours is None:
        return f"{where} is missing"
    if str(ours.type) != str(wanted.type):
        return f"{where} is {ours.type}, not {wanted.type}"
    if default_of(ours) != default_of(wanted):
        return f"{where} defaults to {default_of(ours)}"
    return None


def _field_problems(
    name: str, wanted: GraphQLObjectType, found: GraphQLObjectType, skipped: frozenset[str]
) -> list[str]:
    problems: list[str] = []
    for field_name, field in wanted.fields.items():
        if f"{name}.{field_name}" in skipped:
            continue
        ours = found.fields.get(field_name)
        if ours is None:
            problems.append(f"{name}.{field_name} is missing")
            continue
        if str(ours.type) != str(field.type):
            problems.append(f"{name}.{field_name} is {ours.type}, not {field.type}")
        problems += [
            problem
            for arg_name, arg in field.args.items()
            if (
                problem := _value_problem(
                    f"{name}.{field_name}({arg_name})", arg, ours.args.get(arg_name)
                )
            )
        ]
        problems += [
            f"{name}.{field_name}({extra}) is required but not in the contract"
            for extra in required_extras(field.args, ours.args)
        ]
    return problems


def _input_problems(
    name: str,
    wanted: GraphQLInputObjectType,
    found: GraphQLInputObjectType,
    skipped: frozenset[str],
) -> list[str]:
    problems = [
        problem
        for field_name, field in wanted.fields.items()
        if f"{name}.{field_name}" not in skipped
        and (problem := _value_problem(f"{name}.{field_name}", field, found.fields.get(field_name)))
    ]
    return problems + [
        f"{name}.{extra} is required but not in the contract"
        for extra in required_extras(wanted.fields, found.fields)
    ]


def test_the_schema_keeps_every_part_of_the_public_contract() -> None:
    if not (CONTRACT.exists() and RECEIVABLES.exists()):
        pytest.skip(f"no contract at {CONTRACT_FOLDER}")
    ours = build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert contract_problems(build_schema(CONTRACT.read_text(encoding="utf-8")), ours) == []
    assert contract_problems(full_contract(), ours, NOT_YET_SERVED) == []


def test_only_receivables_names_not_served_yet_are_passed_over() -> None:
    if not (CONTRACT.exists() and RECEIVABLES.exists()):
        pytest.skip(f"no contract at {CONTRACT_FOLDER}")
    first_part = build_schema(CONTRACT.read_text(encoding="utf-8"))
    contract, ours = full_contract(), build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert sorted(name for name in NOT_YET_SERVED if not serves(contract, name)) == []
    assert sorted(name for name in NOT_YET_SERVED if serves(first_part, name)) == []
    assert sorted(name for name in NOT_YET_SERVED if serves(ours, name)) == [], (
        "served now: take these names off NOT_YET_SERVED"
    )


def test_the_contract_check_notices_what_differs() -> None:
    contract = build_schema(
        """type Query { a: Int!  b(x: ID!, n: Int! = 5): String  c(f: F): E  d: ID  g(y: Int): T }
        type T { t: Int }
        input F { s: String = null }
        enum E { ONE TWO }"""
    )
    ours = build_schema(
        """type Query { a: Int  b(x: Int!, n: Int! = 6, m: Int!): String  c(f: F): E  e: ID
          g(y: String): Int }
        input F { t: String  u: Int! }
        enum E { ONE }"""
    )
    assert contract_problems(contract, ours) == [
        "Query.a is Int, not Int!",
        "Query.b(x) is Int!, not ID!",
        "Query.b(n) defaults to 6",
        "Query.b(m) is required but not in the contract",
        "Query.d is missing",
        "Query.g is Int, not T",
        "Query.g(y) is String, not Int",
        "type T is missing",
        "F.s is missing",
        "F.u is required but not in the contract",
        "E.TWO is missing",
    ]
    # Passed over only where named; a name served differently still fails.
    assert contract_problems(contract, ours, frozenset({"Query.d", "T", "F.s", "E.TWO"})) == [
        "Query.a is Int, not Int!",
        "Query.b(x) is Int!, not ID!",
        "Query.b(n) defaults to 6",
        "Query.b(m) is required but not in the contract",
        "Query.g is Int, not T",
        "Query.g(y) is String, not Int",
        "F.u is required but not in the contract",
    ]


@pytest.mark.parametrize(
    "name",
    ["Query", "Query.a", "Query.a(x)", "E.ONE", "F.s"],
)
def test_a_served_name_is_found_and_an_unserved_one_is_not(name: str) -> None:
    schema = build_schema(
        """type Query { a(x: Int): Int }
        input F { s: String }
        enum E { ONE }"""
    )
    unserved = name.replace("Query", "Mutation").replace("ONE", "TWO").replace("(x)", "(y)")
    unserved = unserved.replace("F.s", "F.t")

    assert serves(schema, name)
    assert not serves(schema, unserved)


@pytest.mark.parametrize(
    ("api_enum", "stored_enum"),
    [
        (api_enums.InvoiceStatus, stored.InvoiceStatus),
        (api_enums.InvoiceLineKind, stored.InvoiceLineKind),
        (api_enums.ClientStatus, stored.ClientStatus),
        (api_enums.InvoiceRunStatus, stored.RunStatus),
        (api_enums.InvoiceRunTrigger, stored.RunTrigger),
        (api_enums.InvoiceRunErrorStage, stored.RunErrorStage),
        (api_enums.ErrorCode, BillingErrorCode),
    ],
)
def test_each_api_enum_has_the_stored_enums_members(
    api_enum: type[Enum], stored_enum: type[Enum]
) -> None:
    assert [(m.name, m.value) for m in api_enum] == [(m.name, m.value) for m in stored_enum]
