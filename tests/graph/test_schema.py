"""The exported schema.graphql matches the code, and the code keeps every part of the contract."""

from __future__ import annotations

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
    print_ast,
)

from billing.errors import ErrorCode as BillingErrorCode
from graph.export import SCHEMA_FILE, exported_sdl
from graph.schema import schema
from graph.types import enums as api_enums
from orm.models import enums as stored

CONTRACT = Path(__file__).parents[2] / ".." / "shared" / "contract" / "schema.graphql"


def test_schema_graphql_is_exported_from_the_code() -> None:
    assert SCHEMA_FILE.exists(), "run `python -m graph.export`"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == exported_sdl(), (
        "schema.graphql differs from the code: run `python -m graph.export`"
    )


def test_the_exported_file_builds_the_same_schema() -> None:
    assert exported_sdl() == f"{str(schema).rstrip()}\n"
    build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


def contract_problems(contract: GraphQLSchema, ours: GraphQLSchema) -> list[str]:
    """Every contract type, field, argument, input field and enum value missing from `ours` or
    typed differently there."""
    problems: list[str] = []
    for name, wanted in contract.type_map.items():
        if name.startswith("__"):
            continue
        found = ours.type_map.get(name)
        if found is None:
            problems.append(f"type {name} is missing")
        elif type(found) is not type(wanted):
            problems.append(f"{name} is a {type(found).__name__}, not a {type(wanted).__name__}")
        else:
            problems += _member_problems(name, wanted, found)
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


def _member_problems(name: str, wanted: GraphQLNamedType, found: GraphQLNamedType) -> list[str]:
    if isinstance(wanted, GraphQLObjectType | GraphQLInterfaceType):
        return _field_problems(name, wanted, found)  # type: ignore[arg-type]
    if isinstance(wanted, GraphQLInputObjectType):
        return _input_problems(name, wanted, found)  # type: ignore[arg-type]
    if isinstance(wanted, GraphQLEnumType):
        assert isinstance(found, GraphQLEnumType)
        return [
            f"{name}.{value} is missing" for value in wanted.values if value not in found.values
        ]
    return []


def _field_problems(name: str, wanted: GraphQLObjectType, found: GraphQLObjectType) -> list[str]:
    problems: list[str] = []
    for field_name, field in wanted.fields.items():
        ours = found.fields.get(field_name)
        if ours is None:
            problems.append(f"{name}.{field_name} is missing")
            continue
        if str(ours.type) != str(field.type):
            problems.append(f"{name}.{field_name} is {ours.type}, not {field.type}")
        for arg_name, arg in field.args.items():
            our_arg = ours.args.get(arg_name)
            where = f"{name}.{field_name}({arg_name})"
            if our_arg is None:
                problems.append(f"{where} is missing")
            elif str(our_arg.type) != str(arg.type):
                problems.append(f"{where} is {our_arg.type}, not {arg.type}")
            elif default_of(our_arg) != default_of(arg):
                problems.append(f"{where} defaults to {default_of(our_arg)}")
    return problems


def _input_problems(
    name: str, wanted: GraphQLInputObjectType, found: GraphQLInputObjectType
) -> list[str]:
    problems: list[str] = []
    for field_name, field in wanted.fields.items():
        ours = found.fields.get(field_name)
        if ours is None:
            problems.append(f"{name}.{field_name} is missing")
        elif str(ours.type) != str(field.type):
            problems.append(f"{name}.{field_name} is {ours.type}, not {field.type}")
        elif default_of(ours) != default_of(field):
            problems.append(f"{name}.{field_name} defaults to {default_of(ours)}")
    return problems


def test_the_schema_keeps_every_part_of_the_public_contract() -> None:
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT}")
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    ours = build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert contract_problems(contract, ours) == []


def test_the_contract_check_notices_what_differs() -> None:
    contract = build_schema(
        """type Query { a: Int!  b(x: ID!, n: Int! = 5): String  c(f: F): E  d: ID }
        input F { s: String = null }
        enum E { ONE TWO }"""
    )
    ours = build_schema(
        """type Query { a: Int  b(x: Int!, n: Int! = 6): String  c(f: F): E  e: ID }
        input F { t: String }
        enum E { ONE }"""
    )
    assert contract_problems(contract, ours) == [
        "Query.a is Int, not Int!",
        "Query.b(x) is Int!, not ID!",
        "Query.b(n) defaults to 6",
        "Query.d is missing",
        "F.s is missing",
        "E.TWO is missing",
    ]


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
