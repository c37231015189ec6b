"""A failed validation as the import reports it: one `path: message` per problem
(`tenants[0].clients[12].services[0].price: must be a decimal ≥ 0`), in the project's words, in
the order of the document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from billing.imports.fields import RULE
from billing.imports.records import Document, Loc, Record, record_class, wording

# Errors about a record's shape, whichever field they concern.
SHAPE_WORDS = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
}
# Errors of the constrained types, where a field has no words of its own.
TYPE_WORDS = {
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "string_unicode": "must be valid Unicode text",
    "string_too_long": "must be at most {max_length} characters",
    "string_too_short": "must be at least {min_length} characters",
}


def path_of(loc: Iterable[str | int]) -> str:
    """`("tenants", 0, "clients", 12, "name")` → `tenants[0].clients[12].name`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "(document)"


def field_at(loc: Loc, root: type[Record] = Document) -> tuple[Loc, FieldInfo | None]:
    """The part of `loc` that is a place in the document (pydantic adds the position in a list
    of plain values, which the report leaves out) and the field it ends at, if any."""
    model: type[Record] | None = root
    info: FieldInfo | None = None
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            info = None
            continue
        info = model.model_fields.get(part) if model else None
        model = record_class(info) if info else None
        if model is None:
            return loc[: depth + 1], info
    return loc, info


def message_of(error: Any, loc: Loc, info: FieldInfo | None) -> str:
    kind = error["type"]
    if kind == RULE:
        return rule_message(error["ctx"], loc)
    if kind in SHAPE_WORDS:
        return SHAPE_WORDS[kind]
    words = wording(info) if info else None
    if words and words.applies_to(kind):
        return words.describe(error["input"])
    if kind in TYPE_WORDS:
        return TYPE_WORDS[kind].format(**error.get("ctx", {}))
    return str(error["msg"])


def rule_message(context: dict[str, Any], loc: Loc) -> str:
    """A rule's words, with the place it names (relative to its record) written out in full."""
    if "ref" not in context:
        return str(context["problem"])
    record = loc[: len(loc) - context["depth"]]
    return f"{context['problem']}{path_of((*record, *context['ref']))}{context['after']}"


def document_order(document: Any, loc: Loc) -> tuple[tuple[int, str], ...]:
    """Where `loc` is in the document: by position in lists, by the order of keys in objects
    (a field left out after those given)."""
    order: list[tuple[int, str]] = []
    node = document
    for part in loc:
        if isinstance(part, int):
            order.append((part, ""))
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            keys = list(node) if isinstance(node, dict) else []
            order.append((keys.index(part) if part in keys else len(keys), part))
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(order)


def reported_problems(document: Any, error: ValidationError) -> list[str]:
    """Every problem of a failed validation as `path: message`, in document order, each once."""
    found: dict[str, tuple[tuple[tuple[int, str], ...], str]] = {}
    for detail in error.errors(include_url=False):
        loc, info = field_at(detail["loc"])
        line = f"{path_of(loc)}: {message_of(detail, detail['loc'], info)}"
        found.setdefault(line, (document_order(document, loc), line))
    return [line for _, line in sorted(found.values())]
