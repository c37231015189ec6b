"""The cost of an operation, computed before it runs, and the limit it must stay within.

The model is GitHub's node limit: every list field may return as many nodes as its `first` (or
that argument's default) times the nodes its parent may return, and an operation costs the sum of
these over the document. A list without `first` (an invoice's lines, a run's errors) counts with
the size assumed for it below. A connection's `edges` are the connection's nodes, not another
multiplication.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_argument_values,
)
from graphql.execution.values import VariableValues, get_variable_values
from strawberry.extensions import SchemaExtension

QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
# The nodes one operation may ask for: the dashboard's largest page (200 invoices) and a page
# of runs with their errors stay far below, a page of invoices with each one's run's page of
# invoices far above.
DEFAULT_MAX_QUERY_COST = 20_000
# Sizes assumed for lists without `first`: generous for a real invoice or run.
ASSUMED_LIST_SIZES = {
    ("Invoice", "lines"): 20,
    ("Invoice", "allocations"): 10,
    ("InvoiceRun", "errors"): 50,
    ("Client", "services"): 20,
    ("Client", "pendingCharges"): 20,
    ("Payment", "allocations"): 10,
    # A statement of a year of monthly invoices, payments and the odd credit note.
    ("ClientStatement", "entries"): 100,
}
ASSUMED_LIST_SIZE = 10
PAGE_ARGUMENT = "first"
CONNECTION_EDGES = "edges"


class _Costing:
    """Walks one operation, adding each list's nodes to the total."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.total = 0

    def walk(self, parent: GraphQLObjectType, selections: SelectionSetNode, nodes: int) -> None:
        for field_node, owner in self._fields(parent, selections, set()):
            definition = owner.fields.get(field_node.name.value)
            if definition is None:  # __typename and the introspection fields
                continue
            size = self._list_size(owner, field_node, definition)
            child_nodes = nodes if size is None else nodes * size
            if size is not None:
                self.total += child_nodes
            child_type = _named(definition.type)
            if field_node.selection_set is not None and isinstance(
                child_type, GraphQLObjectType | GraphQLInterfaceType
            ):
                self.walk(child_type, field_node.selection_set, child_nodes)

    def _fields(
        self, parent: GraphQLObjectType, selections: SelectionSetNode, seen: set[str]
    ) -> Iterator[tuple[FieldNode, GraphQLObjectType]]:
        """The field nodes of a selection set, fragments spread in place."""
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                owner = self._condition(selection.type_condition, parent)
                yield from self._fields(owner, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                owner = self._condition(fragment.type_condition, parent)
                yield from self._fields(owner, fragment.selection_set, seen | {name})

    def _condition(self, condition: Any, parent: GraphQLObjectType) -> GraphQLObjectType:
        named = self.schema.get_type(condition.name.value) if condition is not None else None
        return named if isinstance(named, GraphQLObjectType) else parent

    def _list_size(
        self, owner: GraphQLObjectType, node: FieldNode, definition: GraphQLField
    ) -> int | None:
        """How many nodes the field returns per parent node; None where it is not a list."""
        if PAGE_ARGUMENT in definition.args:
            first = get_argument_values(definition, node, self.variables).get(PAGE_ARGUMENT)
            return max(int(first or 0), 0)
        if not _is_list(definition.type) or node.name.value == CONNECTION_EDGES:
            return None
        return ASSUMED_LIST_SIZES.get((owner.name, node.name.value), ASSUMED_LIST_SIZE)


def _unwrapped(type_: GraphQLOutputType) -> GraphQLOutputType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _is_list(type_: GraphQLOutputType) -> bool:
    return isinstance(_unwrapped(type_), GraphQLList)


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> int:
    """The nodes the operation may ask for (at least 1)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 1
    costing = _Costing(schema, fragments, variables)
    costing.walk(root, operation.selection_set, 1)
    return max(costing.total, 1)


def too_costly(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"The query may return {cost:,} nodes, more than the limit of {limit:,}: ask for "
        "smaller pages (`first`) or fewer nested lists.",
        extensions={"code": QUERY_TOO_COSTLY, "cost": cost, "limit": limit},
    )


class QueryCostLimit(SchemaExtension):
    """Refuses, before execution, an operation whose cost is above the limit (the context's
    settings' `max_query_cost`, else the default)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            limit = _limit(context.context)
            cost = self._cost(document)
            if cost is not None and cost > limit:
                context.result = GraphQLExecutionResult(data=None, errors=[too_costly(cost, limit)])
        yield

    def _cost(self, document: Any) -> int | None:
        context = self.execution_context
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        name = context.operation_name
        chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
        if len(chosen) != 1:
            return None  # execution reports the missing or ambiguous operation
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        graphql_schema = context.schema._schema
        variables = get_variable_values(
            graphql_schema, chosen[0].variable_definitions or [], dict(context.variables or {})
        )
        if isinstance(variables, list):
            return None  # execution reports the variables' errors
        try:
            return operation_cost(graphql_schema, chosen[0], fragments, variables)
        except GraphQLError:
            return None  # execution reports the arguments' errors


def _limit(context: Any) -> int:
    settings = getattr(context, "settings", None)
    return getattr(settings, "max_query_cost", DEFAULT_MAX_QUERY_COST)
