"""Operations generated from the schema itself: every query, mutation and subscription with
minimal valid arguments built from their types, so that a new operation is covered by the access
tests without anyone listing it.

Arguments travel as variables typed as in the schema. Every ID (an argument or an input field at
any depth) takes one given value: the tests give each kind of object of a tenant the same id, so
that one value names an existing object whatever the argument means.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    build_schema,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined

from graph.schema import schema as strawberry_schema

Kind = Literal["query", "mutation", "subscription"]

SCALAR_VALUES: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": "2026-11-20",
    "DateTime": "2026-11-20T00:00:00+00:00",
    "Decimal": "1.00",
}


def api_schema() -> GraphQLSchema:
    """The served schema, rebuilt from the SDL it prints."""
    return build_schema(str(strawberry_schema))


@dataclass(frozen=True, slots=True)
class Operation:
    kind: Kind
    field: str
    document: str
    variables: dict[str, Any] = field(default_factory=dict)
    id_arguments: int = 0

    @property
    def name(self) -> str:
        return f"{self.kind} {self.field}"

    @property
    def body(self) -> dict[str, Any]:
        return {"query": self.document, "variables": self.variables}


def root_type(schema: GraphQLSchema, kind: Kind) -> GraphQLObjectType | None:
    return {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }[kind]


def root_fields(schema: GraphQLSchema, kind: Kind) -> list[str]:
    root = root_type(schema, kind)
    return sorted(root.fields) if root else []


def all_operations(
    schema: GraphQLSchema, *, id_value: str = "1", every_id: bool = False, depth: int = 1
) -> Iterator[Operation]:
    """One operation per root field of every kind (see `operation`)."""
    for kind in ("query", "mutation", "subscription"):
        for name in root_fields(schema, kind):
            yield operation(schema, kind, name, id_value=id_value, every_id=every_id, depth=depth)


def operation(
    schema: GraphQLSchema,
    kind: Kind,
    name: str,
    *,
    id_value: str = "1",
    every_id: bool = False,
    depth: int = 1,
    select: str | None = None,
) -> Operation:
    """The root field with its required arguments (and, with `every_id`, every optional argument
    or input field that is an ID), selecting its leaf fields `depth` levels down (or `select`)."""
    root = root_type(schema, kind)
    assert root is not None
    root_field = root.fields[name]
    values = MinimalValues(id_value, every_id)
    declared, passed, variables = [], [], {}
    for index, (arg_name, arg) in enumerate(sorted(root_field.args.items())):
        value = values.argument(arg)
        if value is OMIT:
            continue
        declared.append(f"$a{index}: {arg.type}")
        passed.append(f"{arg_name}: $a{index}")
        variables[f"a{index}"] = value
    head = f"{kind} Generated({', '.join(declared)})" if declared else kind
    call = f"{name}({', '.join(passed)})" if passed else name
    chosen = selection(root_field.type, depth) if select is None else select
    document = f"{head} {{ {call}{chosen} }}"
    return Operation(kind, name, document, variables, values.ids)


OMIT = object()


@dataclass
class MinimalValues:
    """Valid values for arguments: required ones only (and, with `every_id`, every ID)."""

    id_value: str
    every_id: bool
    ids: int = 0

    def argument(self, arg: GraphQLArgument | GraphQLInputField) -> Any:
        if is_required(arg) or (self.every_id and _holds_id(arg.type)):
            return self.value(arg.type)
        return OMIT

    def value(self, type_: GraphQLType) -> Any:
        if isinstance(type_, GraphQLNonNull):
            return self.value(type_.of_type)
        if isinstance(type_, GraphQLList):
            return [self.value(type_.of_type)]
        if isinstance(type_, GraphQLInputObjectType):
            fields = {}
            for name, input_field in sorted(type_.fields.items()):
                value = self.argument(input_field)
                if value is not OMIT:
                    fields[name] = value
            return fields
        if isinstance(type_, GraphQLEnumType):
            return next(iter(type_.values))
        assert isinstance(type_, GraphQLScalarType), type_
        if type_.name == "ID":
            self.ids += 1
            return self.id_value
        return SCALAR_VALUES[type_.name]


def _holds_id(type_: GraphQLType, seen: frozenset[str] = frozenset()) -> bool:
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType):
        return named.name == "ID"
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        return any(_holds_id(f.type, seen | {named.name}) for f in named.fields.values())
    return False


def has_default(arg: GraphQLArgument | GraphQLInputField) -> bool:
    """Whether the schema gives it a default (graphql-core 3.3 keeps an SDL default in
    `default`)."""
    return arg.default_value is not Undefined or getattr(arg, "default", None) is not None


def is_required(arg: GraphQLArgument | GraphQLInputField) -> bool:
    """Non-null without a default: a request must give it."""
    return isinstance(arg.type, GraphQLNonNull) and not has_default(arg)


def _callable_without_arguments(field_: GraphQLField) -> bool:
    return not any(is_required(arg) for arg in field_.args.values())


def selection(type_: GraphQLType, depth: int) -> str:
    """` { … }` selecting the leaf fields of an object type and, `depth` levels down, those of
    its object fields; empty for a leaf type."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    assert isinstance(named, GraphQLObjectType), named
    parts = ["__typename"]
    for name, field_ in sorted(named.fields.items()):
        if not _callable_without_arguments(field_):
            continue
        if is_leaf_type(get_named_type(field_.type)):
            parts.append(name)
        elif depth > 0:
            parts.append(name + selection(field_.type, depth - 1))
    return " { " + " ".join(parts) + " }"


def deep_selection(type_: GraphQLType, levels: int) -> str:
    """` { … }` going `levels` object levels down (through the schema's cycles), ending in
    `__typename`; raises LookupError where the type cannot go that deep."""
    named = get_named_type(type_)
    if levels == 0 or is_leaf_type(named):
        return "" if is_leaf_type(named) else " { __typename }"
    assert isinstance(named, GraphQLObjectType), named
    for name, field_ in sorted(named.fields.items()):
        if _callable_without_arguments(field_) and reaches(field_.type, levels - 1):
            return f" {{ {name}{deep_selection(field_.type, levels - 1)} }}"
    raise LookupError(f"{named.name} does not go {levels} levels down")


def reaches(type_: GraphQLType, levels: int) -> bool:
    """Whether a selection on the type can go `levels` object levels down."""
    return _reaches(get_named_type(type_), levels)


@functools.cache
def _reaches(named: GraphQLNamedType, levels: int) -> bool:
    if is_leaf_type(named):
        return False
    if levels == 0:
        return True
    assert isinstance(named, GraphQLObjectType)
    return any(
        _callable_without_arguments(f) and _reaches(get_named_type(f.type), levels - 1)
        for f in named.fields.values()
    )


def aliased(op: Operation, copies: int) -> Operation:
    """The operation's root field asked `copies` times under different aliases."""
    head, _, rest = op.document.partition("{ ")
    call = rest.rsplit(" }", 1)[0]
    fields = " ".join(f"k{n}: {call}" for n in range(copies))
    return Operation(op.kind, op.field, f"{head}{{ {fields} }}", op.variables, op.id_arguments)
