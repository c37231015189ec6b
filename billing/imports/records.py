"""The records of the import format as pydantic models, with the rules that span fields and
records (unique keys, references between records, overlapping periods, totals).

Field rules are the field types of `fields`. A record's own rules (`rule_problems`) run after its
fields are validated, and also when some are not: then they see the fields and records under it
that are valid (an invalid field reads as INVALID, an invalid list item as its valid part), so
that a file's problems are all reported at once, not a layer at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Self, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ValidationInfo, ValidatorFunctionWrapHandler

from billing.clients.eligibility import BlockedReason, ChargeStatus, ClientStatus, ServiceStatus
from billing.collections.policy import late_fee_percent_problem, reminder_days_problem
from billing.imports.fields import (
    CURRENCY_DIGITS,
    MAX_MONEY,
    RULE,
    VOID,
    ApiToken,
    AwareDateTime,
    Currency,
    Description,
    EmailAddress,
    Flag,
    InvoiceNumber,
    IsoDate,
    Key,
    MailboxPassword,
    MailboxText,
    Money,
    Name,
    PaymentAmount,
    PaymentMethod,
    Permissions,
    Quantity,
    VoidStatus,
    Wording,
    checked_by,
    choice,
    digits_of,
    nullable,
    percent,
    whole_number,
)
from billing.periods import ServicePeriod
from billing.tenants.settings import (
    address_problem,
    billing_cycle_day_problem,
    billing_schedule_problem,
    invoice_number_prefix_problem,
    legal_name_problem,
    number_prefix_problem,
    payment_instructions_problem,
    tax_exempt_reason_problem,
    tax_id_problem,
    tax_rate_problem,
    timezone_problem,
    whole_days_problem,
)

# The tenant's invoice sequence is a BIGINT that new numbers count on from.
MAX_SEQUENCE = 10**18 - 1
# Where a record with problems leaves its valid part, by the id of its raw dict, for the rules
# of the record above it.
FOUND = "found"

Loc = tuple[str | int, ...]

ClientStatusName = choice(*ClientStatus)
ServicePeriodName = choice(*ServicePeriod)
ServiceStatusName = choice(*ServiceStatus)
ChargeStatusName = choice(*ChargeStatus)
BlockedReasonName = choice(*BlockedReason)
Port = whole_number(1, 65535)
TaxRate = percent(tax_rate_problem)
LateFeePercent = percent(late_fee_percent_problem)
TaxId = Annotated[str | None, checked_by(tax_id_problem)]
Address = Annotated[str | None, checked_by(address_problem)]


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule found at `loc` (relative to the record), in words; where the words name
    another place of the record, it is `ref`, followed by `after`."""

    loc: Loc
    message: str
    ref: Loc | None = None
    after: str = ""

    def error(self) -> InitErrorDetails:
        context = {"problem": self.message, "depth": len(self.loc)}
        if self.ref is not None:
            context |= {"ref": self.ref, "after": self.after}
        kind = PydanticCustomError(RULE, "{problem}", context)
        return InitErrorDetails(type=kind, loc=self.loc, input=None)


class Invalid:
    """The value of a field that has a problem, in a record read for its rules: no value, and
    no records where a list was expected."""

    def __repr__(self) -> str:
        return "INVALID"

    def __len__(self) -> int:
        return 0


INVALID: Any = Invalid()


def present(items: Any) -> list[tuple[int, Any]]:
    """The records of a list field with their positions, leaving out items that are no record."""
    if not items or not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if item is not None]


class Record(BaseModel):
    """A record of the import format: unknown fields are refused, and its rules run once its
    fields have been read."""

    model_config = ConfigDict(extra="forbid")

    def rule_problems(self) -> list[Problem]:
        """The problems of the rules that span this record's fields and records."""
        return []

    @classmethod
    def prepare_context(cls, data: dict[str, Any], context: dict[str, Any]) -> None:
        """Puts what the records under this one need to know into the validation context."""

    @model_validator(mode="wrap")
    @classmethod
    def apply_rules(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Self:
        context = info.context if info.context is not None else {}
        if isinstance(data, dict):
            cls.prepare_context(data, context)
        try:
            record = handler(data)
        except ValidationError as error:
            if not isinstance(data, dict):
                raise
            partial = cls.valid_part(data, error, context)
            context.setdefault(FOUND, {})[id(data)] = partial
            problems = partial.rule_problems()
            if not problems:
                raise
            raise with_problems(cls.__name__, error, problems) from None
        if problems := record.rule_problems():
            context.setdefault(FOUND, {})[id(data)] = record
            raise with_problems(cls.__name__, None, problems)
        return record

    @classmethod
    def valid_part(cls, data: dict[str, Any], error: ValidationError, context: dict) -> Self:
        """The record as far as its fields are valid: a field with a problem is INVALID, a list
        of records holds each record's valid part (None for an item that is no object)."""
        failed: dict[str, set[int]] = {}
        for location in (detail["loc"] for detail in error.errors()):
            failed_items = failed.setdefault(str(location[0]), set())
            if len(location) > 1 and isinstance(location[1], int):
                failed_items.add(location[1])
        values: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            if name not in data:
                values[name] = INVALID if info.is_required() else info.get_default()
            else:
                values[name] = cls.valid_value(name, data[name], failed.get(name), context)
        return cls.model_construct(**values)

    @classmethod
    def valid_value(cls, name: str, raw: Any, failed_items: set[int] | None, context: dict) -> Any:
        """A field's value in the record's valid part (`failed_items`: None where the field
        has no problem, else the positions of its items that have one)."""
        info = cls.model_fields[name]
        nested = record_class(info)
        found = context.get(FOUND, {})
        if nested is not None and is_list(info) and isinstance(raw, list):
            failed_items = failed_items or set()
            return [
                found.get(id(item))
                if index in failed_items
                else nested.model_validate(item, context=context)
                for index, item in enumerate(raw)
            ]
        if nested is not None and isinstance(raw, dict) and failed_items is not None:
            return found.get(id(raw), INVALID)
        if failed_items is not None:
            return INVALID
        try:
            return field_adapter(cls, name).validate_python(raw, context=context)
        except ValidationError:
            return INVALID


def with_problems(
    title: str, error: ValidationError | None, problems: list[Problem]
) -> ValidationError:
    """The field errors and the rules' problems of a record as one ValidationError."""
    details = [reraised(detail) for detail in error.errors()] if error else []
    details += [problem.error() for problem in problems]
    return ValidationError.from_exception_data(title, details)


def reraised(error: Any) -> InitErrorDetails:
    if error["type"] == RULE:
        kind: Any = PydanticCustomError(RULE, "{problem}", error["ctx"])
        return InitErrorDetails(type=kind, loc=error["loc"], input=error["input"])
    detail = InitErrorDetails(type=error["type"], loc=error["loc"], input=error["input"])
    if "ctx" in error:
        detail["ctx"] = error["ctx"]
    return detail


@cache
def field_adapter(model: type[Record], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[info.annotation, *info.metadata])


def is_list(info: FieldInfo) -> bool:
    return get_origin(info.annotation) is list


def record_class(info: FieldInfo) -> type[Record] | None:
    """The record type a field holds (alone, in a list, or nullable), if any."""
    candidates = [info.annotation, *get_args(info.annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, Record):
            return candidate
    return None


def wording(info: FieldInfo) -> Wording | None:
    """The words the field's type describes a bad value in (a nullable type's too)."""
    metadata = [*info.metadata]
    for member in get_args(info.annotation):
        metadata += getattr(member, "__metadata__", ())
    return next((item for item in metadata if isinstance(item, Wording)), None)


def unique_keys(
    records: Iterable[tuple[int, Any]], list_name: str, name: str = "key"
) -> list[Problem]:
    """Keys are unique within their parent."""
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for index, record in records:
        key = getattr(record, name)
        if not isinstance(key, str):
            continue
        if key in first_seen:
            problems.append(
                Problem(
                    (list_name, index, name),
                    f'duplicate {name} "{key}" (also at ',
                    ref=(list_name, first_seen[key]),
                    after=")",
                )
            )
        else:
            first_seen[key] = index
    return problems


def amounts_total(records: list[tuple[int, Any]]) -> Decimal | None:
    """The sum of the records' amounts, or None when there are none or any is invalid."""
    if not records or any(not isinstance(r.amount, Decimal) for _, r in records):
        return None
    return sum((record.amount for _, record in records), Decimal(0))


# The records, leaves first.


class Mailbox(Record):
    """The tenant's SMTP server for invoice emails."""

    host: MailboxText
    port: Port
    username: MailboxText | None = None
    password: MailboxPassword | None = None
    starttls: Flag = False
    from_address: EmailAddress


class Settings(Record):
    """A tenant's invoice settings (the rules of `billing.tenants.settings`)."""

    payment_terms_days: Annotated[int, checked_by(whole_days_problem)]
    grace_period_days: Annotated[int, checked_by(whole_days_problem)]
    billing_cycle_day: Annotated[int | None, checked_by(billing_cycle_day_problem)] = None
    auto_generate: Flag
    auto_email: Flag
    auto_charge: Flag
    review_runs: Flag = False
    invoice_number_prefix: Annotated[str, checked_by(invoice_number_prefix_problem)]
    mailbox: Mailbox | None = None
    credit_note_number_prefix: Annotated[str, checked_by(number_prefix_problem)] = "CN-"
    prices_include_tax: Flag = False
    default_tax_rate: TaxRate = None
    payment_instructions: Annotated[str | None, checked_by(payment_instructions_problem)] = None
    issued_invoices_immutable: Flag = False
    reminder_days: Annotated[list[int], checked_by(reminder_days_problem)] = []
    late_fee_amount: Money | None = None
    late_fee_percent: LateFeePercent = None
    block_after_grace: Flag = False
    auto_apply_credit: Flag = True

    def rule_problems(self) -> list[Problem]:
        schedule = billing_schedule_problem(self.auto_generate, self.billing_cycle_day)
        return [Problem(("auto_generate",), schedule)] if schedule else []


class User(Record):
    """An API user of a tenant, with a token given in plain text."""

    key: Key
    name: Name
    token: ApiToken
    permissions: Permissions


class Service(Record):
    """A recurring service of a client, billed in advance per period."""

    key: Key
    description: Description
    price: Money
    quantity: Quantity = Decimal(1)
    period: ServicePeriodName
    next_bill_date: IsoDate
    status: ServiceStatusName = ServiceStatus.ACTIVE.value
    billable: Flag = True
    auto_email: Flag | None = None
    tax_rate: TaxRate = None

    def rule_problems(self) -> list[Problem]:
        """The service's line amount (price × quantity) fits where lines and totals are kept."""
        price, quantity = self.price, self.quantity
        if not isinstance(price, Decimal) or not isinstance(quantity, Decimal):
            return []
        if price * quantity < MAX_MONEY:
            return []
        message = f"price × quantity ({price} × {quantity}) must be less than {MAX_MONEY}"
        return [Problem(("quantity",), message)]


class Charge(Record):
    """A one-time charge of a client."""

    key: Key
    description: Description
    amount: Money
    scheduled_on: IsoDate
    status: ChargeStatusName = ChargeStatus.PENDING.value
    tax_rate: TaxRate = None


class Line(Record):
    """A line of an imported invoice: a service period, a charge, or neither."""

    description: Description
    amount: Money
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None
    service: Key | None = None
    charge: Key | None = None
    tax_rate: TaxRate = None

    def rule_problems(self) -> list[Problem]:
        """A line bills a service or a charge; a service line bills a period; any line's
        period, when given, is whole and in order."""
        problems: list[Problem] = []
        start, end = self.period_start, self.period_end
        if self.service is not None and self.charge is not None:
            problems.append(Problem(("charge",), "a line bills a service or a charge, not both"))
        if self.service is not None:
            for name, value in (("period_start", start), ("period_end", end)):
                if value is None:
                    problems.append(Problem((name,), "required for a service line"))
        elif start is None and end is not None:
            problems.append(Problem(("period_start",), "required with period_end"))
        elif end is None and start is not None:
            problems.append(Problem(("period_end",), "required with period_start"))
        if self.has_period and end < start:
            problems.append(Problem(("period_end",), "must not be before period_start"))
        return problems

    @property
    def has_period(self) -> bool:
        return all(value not in (None, INVALID) for value in (self.period_start, self.period_end))


class Payment(Record):
    """A payment of an imported invoice."""

    amount: PaymentAmount
    paid_on: IsoDate
    method: PaymentMethod


class Invoice(Record):
    """An invoice of the history carried over; void, or settled by its payments."""

    key: Key
    number: InvoiceNumber | None = None
    issued_on: IsoDate
    lines: Annotated[
        list[Line], Field(min_length=1), Wording.fixed("must hold at least one line", "too_short")
    ]
    payments: list[Payment] = []
    status: VoidStatus | None = None
    emailed_at: AwareDateTime | None = None

    @property
    def void(self) -> bool:
        return self.status == VOID

    def rule_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        lines, payments = present(self.lines), present(self.payments)
        if payments and self.void:
            problems.append(Problem(("status",), "a void invoice cannot have payments"))
        total = amounts_total(lines)
        if total is not None and total >= MAX_MONEY:
            message = f"the invoice total of {total} must be less than {MAX_MONEY}"
            problems.append(Problem(("lines",), message))
        paid = amounts_total(payments)
        if total is not None and paid is not None and paid > total:
            message = f"payments of {paid} exceed the invoice total of {total}"
            problems.append(Problem(("payments",), message))
        return problems


@dataclass(frozen=True, slots=True)
class ServiceReference:
    """An invoice line naming a service its client does not list in the file."""

    path: str
    tenant_key: str
    client_key: str
    service_key: str

    def problem(self, where: str = "in the file") -> str:
        return f'{self.path}: no service "{self.service_key}" of this client {where}'


class Client(Record):
    """A client of a tenant, with its services, charges and invoice history."""

    key: Key
    name: Name
    email: EmailAddress | None = None
    status: ClientStatusName = ClientStatus.ACTIVE.value
    blocked: Flag = False
    stripe_customer_id: MailboxText | None = None
    stripe_payment_method_id: MailboxText | None = None
    address: Address = None
    tax_id: TaxId = None
    tax_exempt: Flag = False
    tax_exempt_reason: Annotated[str | None, checked_by(tax_exempt_reason_problem)] = None
    blocked_reason: BlockedReasonName | None = None
    services: list[Service] = []
    charges: list[Charge] = []
    invoices: list[Invoice] = []

    def lines(self) -> Iterator[tuple[int, Invoice, int, Line]]:
        for invoice_index, invoice in present(self.invoices):
            for line_index, line in present(invoice.lines):
                yield invoice_index, invoice, line_index, line

    def rule_problems(self) -> list[Problem]:
        identity = self.identity_problems()
        if not self.invoices and len(self.services) < 2 and len(self.charges) < 2:
            return identity
        return [
            *identity,
            *unique_keys(present(self.services), "services"),
            *unique_keys(present(self.charges), "charges"),
            *unique_keys(present(self.invoices), "invoices"),
            *self.live_period_problems(),
            *self.charge_line_problems(),
        ]

    def identity_problems(self) -> list[Problem]:
        """A tax-exempt client gives the reason its invoices print; only a blocked client has
        a reason for the block."""
        problems: list[Problem] = []
        if self.tax_exempt is True and self.tax_exempt_reason is None:
            problems.append(Problem(("tax_exempt_reason",), "required where tax_exempt is true"))
        if self.blocked is False and self.blocked_reason not in (None, INVALID):
            message = "must be null for a client that is not blocked"
            problems.append(Problem(("blocked_reason",), message))
        return problems

    def unresolved_services(self) -> Iterator[tuple[Loc, str]]:
        """Lines naming a service the client does not list in the file, with the key named."""
        service_keys = {service.key for _, service in present(self.services)}
        for invoice_index, _, line_index, line in self.lines():
            if isinstance(line.service, str) and line.service not in service_keys:
                yield ("invoices", invoice_index, "lines", line_index, "service"), line.service

    def live_period_problems(self) -> list[Problem]:
        """No day of a service is billed by two lines of live (non-void) imported invoices."""
        problems: list[Problem] = []
        billed: dict[str, list[tuple[Any, Any, Loc]]] = {}
        for invoice_index, invoice, line_index, line in self.lines():
            if invoice.void or not isinstance(line.service, str) or not line.has_period:
                continue
            start, end = line.period_start, line.period_end
            if end < start:
                continue
            line_loc: Loc = ("invoices", invoice_index, "lines", line_index)
            earlier = billed.setdefault(line.service, [])
            for other_start, other_end, other_loc in earlier:
                if start <= other_end and other_start <= end:
                    message = (
                        f'service "{line.service}" period {start} to {end} overlaps '
                        f"{other_start} to {other_end}, already billed by "
                    )
                    problems.append(Problem((*line_loc, "period_start"), message, ref=other_loc))
                    break
            earlier.append((start, end, line_loc))
        return problems

    def charge_line_problems(self) -> list[Problem]:
        """A line naming a charge names one of its client's charges in the file; a charge is
        billed by at most one live line, and the charge a live line bills is invoiced."""
        problems: list[Problem] = []
        charges = {charge.key: (index, charge) for index, charge in present(self.charges)}
        billed_by: dict[str, Loc] = {}
        for invoice_index, invoice, line_index, line in self.lines():
            charge_key = line.charge
            if not isinstance(charge_key, str) or line.service is not None:
                continue
            line_loc: Loc = ("invoices", invoice_index, "lines", line_index)
            if charge_key not in charges:
                message = f'no charge "{charge_key}" of this client in the file'
                problems.append(Problem((*line_loc, "charge"), message))
                continue
            if invoice.void:
                continue
            if charge_key in billed_by:
                message = f'the charge "{charge_key}" is already billed by '
                problems.append(Problem((*line_loc, "charge"), message, billed_by[charge_key]))
                continue
            billed_by[charge_key] = line_loc
            charge_index, charge = charges[charge_key]
            if charge.status != ChargeStatus.INVOICED:
                message = 'must be "invoiced": the charge is billed by '
                problems.append(Problem(("charges", charge_index, "status"), message, line_loc))
        return problems


class Tenant(Record):
    """An ISP using the product; its amounts are in its currency."""

    key: Key
    name: Name
    currency: Currency
    timezone: Annotated[str, checked_by(timezone_problem)]
    settings: Settings
    legal_name: Annotated[str | None, checked_by(nullable(legal_name_problem))] = None
    address: Address = None
    tax_id: TaxId = None
    users: list[User] = []
    clients: list[Client] = []

    @classmethod
    def prepare_context(cls, data: dict[str, Any], context: dict[str, Any]) -> None:
        """The tenant's amounts are in its currency: they may have its minor digits."""
        context[CURRENCY_DIGITS] = digits_of(data.get("currency"))

    def invoices(self) -> Iterator[tuple[int, int, Invoice]]:
        for client_index, client in present(self.clients):
            for invoice_index, invoice in present(client.invoices):
                yield client_index, invoice_index, invoice

    def rule_problems(self) -> list[Problem]:
        return [
            *unique_keys(present(self.users), "users"),
            *unique_keys(present(self.clients), "clients"),
            *self.invoice_number_problems(),
        ]

    def invoice_number_problems(self) -> list[Problem]:
        """Invoice numbers are unique within a tenant, and imported numbers in the tenant's
        numbering (the prefix and digits) leave room for the numbers issued after them."""
        problems: list[Problem] = []
        prefix = getattr(self.settings, "invoice_number_prefix", INVALID)
        numbering = re.compile(re.escape(prefix) + r"(\d+)") if isinstance(prefix, str) else None
        first_seen: dict[str, Loc] = {}
        for client_index, invoice_index, invoice in self.invoices():
            number = invoice.number
            if not isinstance(number, str):
                continue
            invoice_loc: Loc = ("clients", client_index, "invoices", invoice_index)
            if number in first_seen:
                message = f'invoice number "{number}" is already used by '
                problems.append(Problem((*invoice_loc, "number"), message, first_seen[number]))
            else:
                first_seen[number] = invoice_loc
            match = numbering.fullmatch(number) if numbering else None
            if match and int(match.group(1)) > MAX_SEQUENCE:
                message = (
                    f'the sequence after the prefix "{prefix}" must be at most {MAX_SEQUENCE}: '
                    "new invoice numbers count on from it"
                )
                problems.append(Problem((*invoice_loc, "number"), message))
        return problems


class Document(Record):
    """A whole import file."""

    tenants: list[Tenant]

    def rule_problems(self) -> list[Problem]:
        return [*unique_keys(present(self.tenants), "tenants"), *self.token_problems()]

    def token_problems(self) -> list[Problem]:
        """API tokens are unique across the whole document (they identify a user on their own)."""
        problems: list[Problem] = []
        first_seen: dict[str, Loc] = {}
        for tenant_index, tenant in present(self.tenants):
            for user_index, user in present(tenant.users):
                if not isinstance(user.token, str):
                    continue
                user_loc: Loc = ("tenants", tenant_index, "users", user_index)
                if user.token in first_seen:
                    message = "already used by "
                    problems.append(Problem((*user_loc, "token"), message, first_seen[user.token]))
                else:
                    first_seen[user.token] = user_loc
        return problems
