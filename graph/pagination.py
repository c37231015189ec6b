"""Page sizes and opaque cursors of the connections."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date

from billing.invoices.listing import (
    NEWEST_FIRST_ORDER,
    InvoiceOrder,
    InvoiceSortKey,
    ListPosition,
    SortValue,
)
from billing.payments.listing import PaymentPosition
from graph.errors import InvalidInput
from graph.ids import parse_id

MAX_PAGE_SIZE = 200


def check_first(first: int, *, field: str = "first") -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"`{field}` must be between 1 and {MAX_PAGE_SIZE}; {first} was given.", field=field
        )
    return first


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode("ascii")


def _decode(cursor: str, kind: str) -> list[str]:
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    prefix, _, rest = text.partition(":")
    if prefix != kind or not rest:
        raise InvalidInput("`after` is not a cursor of this list.", field="after")
    return rest.split(":")


# The sort keys whose values are dates, and those whose values are text then a client id.
DATE_KEYS = frozenset({InvoiceSortKey.ISSUED, InvoiceSortKey.DUE})
TEXT_KEYS = frozenset({InvoiceSortKey.NUMBER})
NOT_THIS_LIST = "`after` is not a cursor of this list."


def invoice_cursor(position: ListPosition) -> str:
    """The newest-first order keeps its original cursors ("invoice:<issued>:<id>"); another
    order's cursor names the order, so it is refused under any other."""
    if position.order == NEWEST_FIRST_ORDER:
        [issued_on] = position.values
        return _encode(f"invoice:{issued_on}:{position.id}")
    order = position.order
    values = [value.isoformat() if isinstance(value, date) else value for value in position.values]
    payload = json.dumps([order.key.value, order.descending, values, position.id])
    return _encode(f"invoice-sorted:{payload}")


def invoice_position(
    cursor: str | None, order: InvoiceOrder = NEWEST_FIRST_ORDER
) -> ListPosition | None:
    if cursor is None:
        return None
    if order == NEWEST_FIRST_ORDER:
        return _newest_first_position(cursor)
    payload = ":".join(_decode(cursor, "invoice-sorted"))
    try:
        key, descending, values, invoice_id = json.loads(payload)
    except (ValueError, TypeError) as error:
        raise InvalidInput(NOT_THIS_LIST, field="after") from error
    if key != order.key.value or descending is not order.descending:
        raise InvalidInput(
            "`after` is a cursor of another sort order: start again without it.", field="after"
        )
    parsed = _sort_values(order.key, values)
    if parsed is None or not isinstance(invoice_id, int) or invoice_id < 1:
        raise InvalidInput(NOT_THIS_LIST, field="after")
    return ListPosition(values=parsed, id=invoice_id, order=order)


def _newest_first_position(cursor: str) -> ListPosition:
    parts = _decode(cursor, "invoice")
    invoice_id = parse_id(parts[-1])
    try:
        issued_on = date.fromisoformat(parts[0])
    except ValueError:
        issued_on = None
    if len(parts) != 2 or invoice_id is None or issued_on is None:
        raise InvalidInput(NOT_THIS_LIST, field="after")
    return ListPosition(values=(issued_on,), id=invoice_id)


def _sort_values(key: InvoiceSortKey, values: object) -> tuple[SortValue, ...] | None:
    """The cursor's sort values as the key has them; None where they do not fit it."""
    if not isinstance(values, list):
        return None
    if key in DATE_KEYS:
        if len(values) != 1 or not isinstance(values[0], str):
            return None
        try:
            return (date.fromisoformat(values[0]),)
        except ValueError:
            return None
    if key in TEXT_KEYS:
        return (values[0],) if len(values) == 1 and isinstance(values[0], str) else None
    if key is InvoiceSortKey.CLIENT:
        fits = len(values) == 2 and isinstance(values[0], str) and isinstance(values[1], int)
        return (values[0], values[1]) if fits else None
    fits = len(values) == 1 and isinstance(values[0], int) and not isinstance(values[0], bool)
    return (values[0],) if fits else None


def run_cursor(run_id: int) -> str:
    return _encode(f"run:{run_id}")


def run_position(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    parts = _decode(cursor, "run")
    run_id = parse_id(parts[0])
    if len(parts) != 1 or run_id is None:
        raise InvalidInput("`after` is not a cursor of this list.", field="after")
    return run_id


def credit_note_cursor(credit_note_id: int) -> str:
    return _encode(f"credit-note:{credit_note_id}")


def credit_note_position(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    parts = _decode(cursor, "credit-note")
    credit_note_id = parse_id(parts[0])
    if len(parts) != 1 or credit_note_id is None:
        raise InvalidInput("`after` is not a cursor of this list.", field="after")
    return credit_note_id


def payment_cursor(position: PaymentPosition) -> str:
    return _encode(f"payment:{position.received_on.isoformat()}:{position.id}")


def payment_position(cursor: str | None) -> PaymentPosition | None:
    if cursor is None:
        return None
    parts = _decode(cursor, "payment")
    payment_id = parse_id(parts[-1])
    try:
        received_on = date.fromisoformat(parts[0])
    except ValueError:
        received_on = None
    if len(parts) != 2 or payment_id is None or received_on is None:
        raise InvalidInput("`after` is not a cursor of this list.", field="after")
    return PaymentPosition(received_on=received_on, id=payment_id)


def bank_statement_cursor(statement_id: int) -> str:
    return _encode(f"bank-statement:{statement_id}")


def bank_statement_position(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    parts = _decode(cursor, "bank-statement")
    statement_id = parse_id(parts[0])
    if len(parts) != 1 or statement_id is None:
        raise InvalidInput("`after` is not a cursor of this list.", field="after")
    return statement_id
