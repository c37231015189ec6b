"""Page sizes and opaque cursors of the connections."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from billing.invoices.listing import ListPosition
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


def invoice_cursor(position: ListPosition) -> str:
    return _encode(f"invoice:{position.issued_on.isoformat()}:{position.id}")


def invoice_position(cursor: str | None) -> ListPosition | None:
    if cursor is None:
        return None
    parts = _decode(cursor, "invoice")
    invoice_id = parse_id(parts[-1])
    try:
        issued_on = date.fromisoformat(parts[0])
    except ValueError:
        issued_on = None
    if len(parts) != 2 or invoice_id is None or issued_on is None:
        raise InvalidInput("`after` is not a cursor of this list.", field="after")
    return ListPosition(issued_on=issued_on, id=invoice_id)


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
