"""The field types of the import format: constrained types that pydantic-core checks, each with
the words a bad value is described in.

A field type carries a `Wording` where its problem needs more than the error's type to be said in
the project's words ("must be a decimal ≥ 0", "must be an ISO date (YYYY-MM-DD)"); the generic
wordings (`must be a string`, `must be at most 64 characters`) live in `problems`. Amounts are
checked against the tenant's currency, which the tenant puts in the validation context.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    GetPydanticSchema,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError, core_schema

from billing.delivery.mailbox_password import MAX_PASSWORD_LENGTH
from billing.money import minor_unit_digits
from billing.tenants.settings import currency_problem
from billing.text import single_line_text_problem
from billing.tokens import MIN_TOKEN_LENGTH, token_too_short

RULE = "billing_rule"
CURRENCY_DIGITS = "currency_digits"
VOID = "void"
PERMISSIONS = ("billing.view", "billing.edit", "billing.settings")
KEY_LENGTH = 64
# Amounts, line amounts (price × quantity) and invoice totals: integer minor units in a BIGINT,
# with room for a run to add many of them up.
MAX_MONEY = Decimal("1000000000000")
MAX_QUANTITY = Decimal("1000000000")  # DECIMAL(12, 3)
QUANTITY_PLACES = 3
# Characters that break a line or control a terminal (as billing.text refuses them).
CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
ONE_LINE = rf"^[^{CONTROLS}]*[^\s{CONTROLS}][^{CONTROLS}]*$"
EMAIL_ADDRESS = rf"^[^@\s{CONTROLS}]+@[^@\s{CONTROLS}]+$"
PLAIN_DECIMAL = r"^[0-9]+(\.[0-9]+)?$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PLAIN_DECIMAL_RE = re.compile(PLAIN_DECIMAL)


@dataclass(frozen=True, slots=True)
class Wording:
    """How a field describes a bad value: a function of the value, used for the error types
    listed (every error of the value when none are)."""

    describe: Callable[[Any], str]
    error_types: frozenset[str] = frozenset()

    @classmethod
    def fixed(cls, message: str, *error_types: str) -> Wording:
        return cls(lambda _: message, frozenset(error_types))

    def applies_to(self, error_type: str) -> bool:
        return not self.error_types or error_type in self.error_types


def rule_error(message: str) -> PydanticCustomError:
    """A problem in the project's words, reported as it is."""
    return PydanticCustomError(RULE, "{problem}", {"problem": message})


def checked_by(problem: Callable[[Any], str | None]) -> PlainValidator:
    """A field checked by a rule written once elsewhere (`billing.tenants.settings`)."""

    def check(value: Any) -> Any:
        if message := problem(value):
            raise rule_error(message)
        return value

    return PlainValidator(check)


def nullable(problem: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """The rule of a value that may also be null."""

    def problem_unless_null(value: Any) -> str | None:
        return None if value is None else problem(value)

    return problem_unless_null


def text_problem(value: str) -> str:
    """Why a string that is not one line of printable text is refused."""
    if not value.strip():
        return "must not be empty"
    return single_line_text_problem(value) or "must be one line of text"


def email_problem(value: str) -> str:
    if not value.strip() or single_line_text_problem(value):
        return text_problem(value)
    return "must be an email address"


def token_problem(value: str) -> str:
    if not value.strip() or single_line_text_problem(value):
        return text_problem(value)
    return token_too_short(value) or f"must be at least {MIN_TOKEN_LENGTH} characters"


def text(max_length: int) -> Any:
    """One line of printable text, not blank, of at most `max_length` characters."""
    return Annotated[
        str,
        StringConstraints(strict=True, max_length=max_length, pattern=ONE_LINE),
        Wording(text_problem, frozenset({"string_pattern_mismatch"})),
    ]


Key = text(KEY_LENGTH)
Name = text(200)
Description = text(255)
MailboxText = text(255)
# Stored encrypted: the sealed form of a longer password would not fit its column.
MailboxPassword = text(MAX_PASSWORD_LENGTH)
InvoiceNumber = text(64)
PaymentMethod = text(32)
EmailAddress = Annotated[
    str,
    StringConstraints(strict=True, max_length=255, pattern=EMAIL_ADDRESS),
    Wording(email_problem, frozenset({"string_pattern_mismatch"})),
]
ApiToken = Annotated[
    str,
    StringConstraints(strict=True, min_length=MIN_TOKEN_LENGTH, max_length=1000, pattern=ONE_LINE),
    Wording(token_problem, frozenset({"string_pattern_mismatch", "string_too_short"})),
]
Flag = Annotated[bool, Field(strict=True)]


def choice(*values: str) -> Any:
    return Annotated[Literal[values], Wording.fixed(f"must be one of {', '.join(values)}")]


def whole_number(low: int, high: int) -> Any:
    return Annotated[
        int,
        Field(strict=True, ge=low, le=high),
        Wording.fixed(f"must be a whole number from {low} to {high}"),
    ]


def no_repeated_permission(permissions: list[str]) -> list[str]:
    if len(set(permissions)) != len(permissions):
        raise rule_error("must not repeat a permission")
    return permissions


Permissions = Annotated[
    list[Literal[PERMISSIONS]],
    Field(strict=True),
    AfterValidator(no_repeated_permission),
    Wording.fixed(f"must hold only {', '.join(PERMISSIONS)}", "literal_error"),
]
VoidStatus = Annotated[Literal[VOID], Wording.fixed(f'must be "{VOID}" or null')]


def chained(*schemas: core_schema.CoreSchema) -> GetPydanticSchema:
    """Validation by pydantic-core schemas in turn (a string pattern, then a date)."""
    return GetPydanticSchema(lambda _type, _handler: core_schema.chain_schema(list(schemas)))


IsoDate = Annotated[
    date,
    chained(core_schema.str_schema(strict=True, pattern=ISO_DATE), core_schema.date_schema()),
    Wording.fixed("must be an ISO date (YYYY-MM-DD)"),
]
AwareDateTime = Annotated[
    datetime,
    chained(
        core_schema.str_schema(strict=True, pattern="T"),
        core_schema.datetime_schema(tz_constraint="aware"),
    ),
    Wording.fixed("must be an ISO date-time with a UTC offset (e.g. 2026-09-02T10:00:00+00:00)"),
]


# Money: a plain decimal string with at most the tenant's currency's digits.


def iso_currency(value: Any) -> str:
    """The tenant's currency: three upper-case letters ISO 4217 gives a minor unit."""
    if message := currency_problem(value):
        raise rule_error(message)
    return value


def digits_of(currency: Any) -> int | None:
    """The currency's minor digits, or None where the currency is not valid (its own problem)."""
    try:
        return minor_unit_digits(iso_currency(currency))
    except PydanticCustomError:
        return None


def places_problem(digits: int) -> str:
    if digits == 0:
        return "must have no decimal places: the currency has no minor unit"
    return f"must have at most {digits} decimal places"


def amount_in_currency(value: str, info: ValidationInfo) -> Decimal:
    """The amount, within the currency's digits and the largest amount stored."""
    return checked_amount(value, (info.context or {}).get(CURRENCY_DIGITS))


@lru_cache(maxsize=65536)
def checked_amount(value: str, digits: int | None) -> Decimal:
    """A file repeats its few prices many times: each distinct amount is read once."""
    _, _, fraction = value.partition(".")
    if digits is not None and len(fraction) > digits:
        raise rule_error(places_problem(digits))
    amount = Decimal(value)
    if amount >= MAX_MONEY:
        raise rule_error(f"must be less than {MAX_MONEY}")
    return amount


def payment_in_currency(value: str, info: ValidationInfo) -> Decimal:
    amount = amount_in_currency(value, info)
    if not amount:
        raise rule_error("must be a decimal > 0")
    return amount


def amount_format_problem(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 'must be a decimal ≥ 0 written as a string (e.g. "49.99")'
    return "must be a decimal ≥ 0"


MONEY_FORMAT = Wording(amount_format_problem)
Money = Annotated[
    Decimal,
    chained(core_schema.str_schema(strict=True, pattern=PLAIN_DECIMAL)),
    AfterValidator(amount_in_currency),
    MONEY_FORMAT,
]
PaymentAmount = Annotated[
    Decimal,
    chained(core_schema.str_schema(strict=True, pattern=PLAIN_DECIMAL)),
    AfterValidator(payment_in_currency),
    MONEY_FORMAT,
]


def quantity(value: Any) -> Decimal:
    """A decimal > 0 with at most 3 places, as a string or a whole number."""
    if isinstance(value, str | int):
        return known_quantity(value)
    return checked_quantity(value)


@lru_cache(maxsize=4096, typed=True)  # typed: true is not the quantity 1
def known_quantity(value: str | int) -> Decimal:
    return checked_quantity(value)


def checked_quantity(value: Any) -> Decimal:
    if type(value) is int:
        value = str(value)
    if not isinstance(value, str) or not PLAIN_DECIMAL_RE.fullmatch(value):
        raise rule_error("must be a decimal > 0")
    number = Decimal(value)
    if not number:
        raise rule_error("must be a decimal > 0")
    if len(value.partition(".")[2]) > QUANTITY_PLACES:
        raise rule_error(f"must have at most {QUANTITY_PLACES} decimal places")
    if number >= MAX_QUANTITY:
        raise rule_error(f"must be less than {MAX_QUANTITY}")
    return number


Quantity = Annotated[Decimal, PlainValidator(quantity)]
Currency = Annotated[str, PlainValidator(iso_currency)]


def percent(problem: Callable[[Any], str | None]) -> Any:
    """A percent written as a plain decimal string ("20", "7.5"), or null; checked by a rule
    of `billing.tenants.settings` or `billing.collections.policy`."""

    def check(value: Any) -> Decimal | None:
        if value is None:
            return None
        if not isinstance(value, str) or not PLAIN_DECIMAL_RE.fullmatch(value):
            raise rule_error('must be a percent written as a string (e.g. "20")')
        if message := problem(value):
            raise rule_error(message)
        return Decimal(value)

    return Annotated[Decimal | None, PlainValidator(check)]
