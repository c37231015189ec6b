"""Validation of an import document (the import format contract) before anything is written.

Every problem is reported as `path: message`, e.g.
`tenants[0].clients[12].services[0].price: must be a decimal ≥ 0`, and every problem of the
document is reported, not only the first.

Required fields are the ones of the contract's example; these may be left out and then take the
value shown: `settings.review_runs` (false), `settings.billing_cycle_day` (null),
`settings.mailbox` (null), `mailbox.username`/`password` (null), `mailbox.starttls` (false),
a tenant's `users` and `clients` ([]), a client's `email`, `stripe_customer_id`,
`stripe_payment_method_id` (null), `status` ("active"), `blocked` (false), `services`, `charges`,
`invoices` ([]), a service's `quantity` ("1"), `status` ("active"), `billable` (true),
`auto_email` (null), a charge's `status` ("pending"), an invoice's `number`, `status`,
`emailed_at` (null) and `payments` ([]), a line's `period_start`, `period_end`, `service` (null)
and `charge` (null: an addition to the format, the key of the client's charge the line bills).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from billing.clients.eligibility import ChargeStatus, ClientStatus, ServiceStatus
from billing.delivery.mailbox_password import MAX_PASSWORD_LENGTH
from billing.periods import ServicePeriod
from billing.tenants.settings import (
    billing_cycle_day_problem,
    billing_schedule_problem,
    currency_problem,
    invoice_number_prefix_problem,
    timezone_problem,
    whole_days_problem,
)
from billing.text import single_line_text_problem
from billing.tokens import token_too_short

PERMISSIONS = ("billing.view", "billing.edit")
VOID = "void"

KEY_LENGTH = 64
# Amounts, line amounts (price × quantity) and invoice totals: integer cents in a BIGINT, with
# room for a run to add many of them up.
MAX_MONEY = Decimal("1000000000000")
MAX_QUANTITY = Decimal("1000000000")  # DECIMAL(12, 3)
# The tenant's invoice sequence is a BIGINT that new numbers count on from.
MAX_SEQUENCE = 10**18 - 1
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DECIMAL = re.compile(r"-?\d+(\.\d+)?")
EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")

Rule = Callable[[Any], str | None]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    rule: Rule
    required: bool = True


@dataclass(frozen=True, slots=True)
class ServiceReference:
    """An invoice line naming a service its client does not list in the file."""

    path: str
    tenant_key: str
    client_key: str
    service_key: str

    def problem(self, where: str = "in the file") -> str:
        return f'{self.path}: no service "{self.service_key}" of this client {where}'


@dataclass(slots=True)
class DocumentCheck:
    """The problems of a document read alone, and the service references the file leaves open
    (the importer looks those up among the services already stored)."""

    problems: list[str] = field(default_factory=list)
    unresolved_services: list[ServiceReference] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LinePeriod:
    """The days a live invoice line bills for a service, and where the line is."""

    start: date
    end: date
    path: str

    def overlaps(self, other: LinePeriod) -> bool:
        return self.start <= other.end and other.start <= self.end


def validate_import(document: Any) -> list[str]:
    """Every problem of the document read alone, as `path: message` (empty when valid).

    An invoice line must name a service of its client listed in the same file; the importer
    also accepts a service already stored for that client."""
    check = check_document(document)
    return check.problems + [ref.problem() for ref in check.unresolved_services]


def check_document(document: Any) -> DocumentCheck:
    """Checks a whole document, collecting every problem."""
    check = DocumentCheck()
    if not check_record(document, "", ROOT_FIELDS, check.problems):
        return check
    tenants = list_items(document, "tenants")
    for index, tenant in tenants:
        check_tenant(tenant, f"tenants[{index}]", check)
    check_unique_keys(tenants, "tenants", check.problems)
    check_unique_tokens(tenants, check.problems)
    return check


# Field rules: each returns the message for a bad value, or None.


def api_token(value: Any) -> str | None:
    return text(1000)(value) or token_too_short(value)


def nullable(rule: Rule) -> Rule:
    def check(value: Any) -> str | None:
        return None if value is None else rule(value)

    return check


def text(max_length: int) -> Rule:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be a string"
        if not value.strip():
            return "must not be empty"
        if len(value) > max_length:
            return f"must be at most {max_length} characters"
        return single_line_text_problem(value)

    return check


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def whole_number(low: int, high: int) -> Rule:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"must be a whole number from {low} to {high}"
        return None

    return check


def choice(values: tuple[str, ...]) -> Rule:
    allowed = frozenset(values)
    message = f"must be one of {', '.join(values)}"

    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and value in allowed else message

    return check


def iso_date(value: Any) -> str | None:
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "must be an ISO date (YYYY-MM-DD)"


def aware_datetime(value: Any) -> str | None:
    message = "must be an ISO date-time with a UTC offset (e.g. 2026-09-02T10:00:00+00:00)"
    if not isinstance(value, str) or "T" not in value:
        return message
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return message
    return None if moment.tzinfo is not None else message


def parse_decimal(value: Any) -> Decimal | None:
    """The decimal a string in plain notation holds ("49.99", "-3", "1.5"), or None."""
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        return Decimal(value)
    return None


def decimal_places(value: str) -> int:
    _, _, fraction = value.partition(".")
    return len(fraction)


def money(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 'must be a decimal ≥ 0 written as a string (e.g. "49.99")'
    amount = parse_decimal(value)
    if amount is None or amount < 0:
        return "must be a decimal ≥ 0"
    if decimal_places(value) > 2:
        return "must have at most 2 decimal places"
    if amount >= MAX_MONEY:
        return f"must be less than {MAX_MONEY}"
    return None


def payment_amount(value: Any) -> str | None:
    message = money(value)
    if message is None and parse_decimal(value) == 0:
        return "must be a decimal > 0"
    return message


def quantity(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    number = parse_decimal(value)
    if number is None or number <= 0:
        return "must be a decimal > 0"
    if decimal_places(value) > 3:
        return "must have at most 3 decimal places"
    if number >= MAX_QUANTITY:
        return f"must be less than {MAX_QUANTITY}"
    return None


def email_address(value: Any) -> str | None:
    message = text(255)(value)
    if message:
        return message
    return None if EMAIL_ADDRESS.fullmatch(value) else "must be an email address"


def permission_list(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list"
    if any(not isinstance(item, str) or item not in PERMISSIONS for item in value):
        return f"must hold only {', '.join(PERMISSIONS)}"
    if len(set(value)) != len(value):
        return "must not repeat a permission"
    return None


def list_field(value: Any) -> str | None:
    return None if isinstance(value, list) else "must be a list"


def object_field(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be an object"


def void_status(value: Any) -> str | None:
    return None if value == VOID else 'must be "void" or null'


def enum_values(enum: type[Any]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


# The records of the format: field name → rule.

KEY = FieldSpec(text(KEY_LENGTH))
ROOT_FIELDS = {"tenants": FieldSpec(list_field)}
TENANT_FIELDS = {
    "key": KEY,
    "name": FieldSpec(text(200)),
    "currency": FieldSpec(currency_problem),
    "timezone": FieldSpec(timezone_problem),
    "settings": FieldSpec(object_field),
    "users": FieldSpec(list_field, required=False),
    "clients": FieldSpec(list_field, required=False),
}
SETTINGS_FIELDS = {
    "payment_terms_days": FieldSpec(whole_days_problem),
    "grace_period_days": FieldSpec(whole_days_problem),
    "billing_cycle_day": FieldSpec(billing_cycle_day_problem, required=False),
    "auto_generate": FieldSpec(boolean),
    "auto_email": FieldSpec(boolean),
    "auto_charge": FieldSpec(boolean),
    "review_runs": FieldSpec(boolean, required=False),
    "invoice_number_prefix": FieldSpec(invoice_number_prefix_problem),
    "mailbox": FieldSpec(nullable(object_field), required=False),
}
MAILBOX_FIELDS = {
    "host": FieldSpec(text(255)),
    "port": FieldSpec(whole_number(1, 65535)),
    "username": FieldSpec(nullable(text(255)), required=False),
    "password": FieldSpec(nullable(text(MAX_PASSWORD_LENGTH)), required=False),
    "starttls": FieldSpec(boolean, required=False),
    "from_address": FieldSpec(email_address),
}
USER_FIELDS = {
    "key": KEY,
    "name": FieldSpec(text(200)),
    "token": FieldSpec(api_token),
    "permissions": FieldSpec(permission_list),
}
CLIENT_FIELDS = {
    "key": KEY,
    "name": FieldSpec(text(200)),
    "email": FieldSpec(nullable(email_address), required=False),
    "status": FieldSpec(choice(enum_values(ClientStatus)), required=False),
    "blocked": FieldSpec(boolean, required=False),
    "stripe_customer_id": FieldSpec(nullable(text(255)), required=False),
    "stripe_payment_method_id": FieldSpec(nullable(text(255)), required=False),
    "services": FieldSpec(list_field, required=False),
    "charges": FieldSpec(list_field, required=False),
    "invoices": FieldSpec(list_field, required=False),
}
SERVICE_FIELDS = {
    "key": KEY,
    "description": FieldSpec(text(255)),
    "price": FieldSpec(money),
    "quantity": FieldSpec(quantity, required=False),
    "period": FieldSpec(choice(enum_values(ServicePeriod))),
    "next_bill_date": FieldSpec(iso_date),
    "status": FieldSpec(choice(enum_values(ServiceStatus)), required=False),
    "billable": FieldSpec(boolean, required=False),
    "auto_email": FieldSpec(nullable(boolean), required=False),
}
CHARGE_FIELDS = {
    "key": KEY,
    "description": FieldSpec(text(255)),
    "amount": FieldSpec(money),
    "scheduled_on": FieldSpec(iso_date),
    "status": FieldSpec(choice(enum_values(ChargeStatus)), required=False),
}
INVOICE_FIELDS = {
    "key": KEY,
    "number": FieldSpec(nullable(text(64)), required=False),
    "issued_on": FieldSpec(iso_date),
    "lines": FieldSpec(list_field),
    "payments": FieldSpec(list_field, required=False),
    "status": FieldSpec(nullable(void_status), required=False),
    "emailed_at": FieldSpec(nullable(aware_datetime), required=False),
}
LINE_FIELDS = {
    "description": FieldSpec(text(255)),
    "amount": FieldSpec(money),
    "period_start": FieldSpec(nullable(iso_date), required=False),
    "period_end": FieldSpec(nullable(iso_date), required=False),
    "service": FieldSpec(nullable(text(KEY_LENGTH)), required=False),
    "charge": FieldSpec(nullable(text(KEY_LENGTH)), required=False),
}
PAYMENT_FIELDS = {
    "amount": FieldSpec(payment_amount),
    "paid_on": FieldSpec(iso_date),
    "method": FieldSpec(text(32)),
}


# Walking the document.


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def check_record(record: Any, path: str, spec: dict[str, FieldSpec], problems: list[str]) -> bool:
    """Checks an object's fields against its spec; False when it is not an object at all."""
    if not isinstance(record, dict):
        problems.append(f"{path or '(document)'}: must be an object")
        return False
    for name in record:
        if name not in spec:
            problems.append(f"{join(path, name)}: unknown field")
    for name, field_spec in spec.items():
        if name not in record:
            if field_spec.required:
                problems.append(f"{join(path, name)}: required")
            continue
        message = field_spec.rule(record[name])
        if message:
            problems.append(f"{join(path, name)}: {message}")
    return True


def list_items(record: dict[str, Any], name: str) -> list[tuple[int, Any]]:
    """The items of a list field with their positions (none when the field is not a list)."""
    value = record.get(name)
    return list(enumerate(value)) if isinstance(value, list) else []


def valid_records(items: list[tuple[int, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    return ((index, item) for index, item in items if isinstance(item, dict))


def check_unique_keys(
    items: list[tuple[int, Any]], list_path: str, problems: list[str], name: str = "key"
) -> None:
    """Keys are unique within their parent."""
    first_seen: dict[str, int] = {}
    for index, item in valid_records(items):
        key = item.get(name)
        if not isinstance(key, str):
            continue
        if key in first_seen:
            problems.append(
                f'{list_path}[{index}].{name}: duplicate {name} "{key}" '
                f"(also at {list_path}[{first_seen[key]}])"
            )
        else:
            first_seen[key] = index


def check_unique_tokens(tenants: list[tuple[int, Any]], problems: list[str]) -> None:
    """API tokens are unique across the whole document (they identify a user on their own)."""
    first_seen: dict[str, str] = {}
    for tenant_index, tenant in valid_records(tenants):
        for user_index, user in valid_records(list_items(tenant, "users")):
            token = user.get("token")
            if not isinstance(token, str):
                continue
            path = f"tenants[{tenant_index}].users[{user_index}]"
            if token in first_seen:
                problems.append(f"{path}.token: already used by {first_seen[token]}")
            else:
                first_seen[token] = path


def check_tenant(tenant: Any, path: str, check: DocumentCheck) -> None:
    problems = check.problems
    if not check_record(tenant, path, TENANT_FIELDS, problems):
        return
    settings = tenant.get("settings")
    if isinstance(settings, dict) and check_record(
        settings, f"{path}.settings", SETTINGS_FIELDS, problems
    ):
        mailbox = settings.get("mailbox")
        if isinstance(mailbox, dict):
            check_record(mailbox, f"{path}.settings.mailbox", MAILBOX_FIELDS, problems)
        schedule = billing_schedule_problem(
            settings.get("auto_generate"), settings.get("billing_cycle_day")
        )
        if schedule:
            problems.append(f"{path}.settings.auto_generate: {schedule}")
    users = list_items(tenant, "users")
    for index, user in users:
        check_record(user, f"{path}.users[{index}]", USER_FIELDS, problems)
    check_unique_keys(users, f"{path}.users", problems)
    clients = list_items(tenant, "clients")
    for index, client in clients:
        check_client(client, f"{path}.clients[{index}]", tenant.get("key"), check)
    check_unique_keys(clients, f"{path}.clients", problems)
    check_unique_invoice_numbers(clients, f"{path}.clients", problems)
    if isinstance(settings, dict):
        prefix = settings.get("invoice_number_prefix")
        if isinstance(prefix, str):
            check_invoice_sequences(clients, prefix, f"{path}.clients", problems)


def check_client(client: Any, path: str, tenant_key: Any, check: DocumentCheck) -> None:
    problems = check.problems
    if not check_record(client, path, CLIENT_FIELDS, problems):
        return
    services = list_items(client, "services")
    for index, service in services:
        service_path = f"{path}.services[{index}]"
        if check_record(service, service_path, SERVICE_FIELDS, problems):
            check_line_amount(service, service_path, problems)
    check_unique_keys(services, f"{path}.services", problems)
    charges = list_items(client, "charges")
    for index, charge in charges:
        check_record(charge, f"{path}.charges[{index}]", CHARGE_FIELDS, problems)
    check_unique_keys(charges, f"{path}.charges", problems)
    invoices = list_items(client, "invoices")
    for index, invoice in invoices:
        check_invoice(invoice, f"{path}.invoices[{index}]", problems)
    check_unique_keys(invoices, f"{path}.invoices", problems)
    check_service_references(client, path, tenant_key, check)
    check_live_periods(invoices, f"{path}.invoices", problems)
    check_charge_lines(client, path, problems)


def check_invoice(invoice: Any, path: str, problems: list[str]) -> None:
    if not check_record(invoice, path, INVOICE_FIELDS, problems):
        return
    lines = list_items(invoice, "lines")
    if isinstance(invoice.get("lines"), list) and not lines:
        problems.append(f"{path}.lines: must hold at least one line")
    for index, line in lines:
        line_path = f"{path}.lines[{index}]"
        if check_record(line, line_path, LINE_FIELDS, problems):
            check_line_period(line, line_path, problems)
    payments = list_items(invoice, "payments")
    for index, payment in payments:
        check_record(payment, f"{path}.payments[{index}]", PAYMENT_FIELDS, problems)
    if payments and invoice.get("status") == VOID:
        problems.append(f"{path}.status: a void invoice cannot have payments")
    total = amounts_total(lines, "amount")
    if total is not None and total >= MAX_MONEY:
        problems.append(f"{path}.lines: the invoice total of {total} must be less than {MAX_MONEY}")
    check_payments_within_total(lines, payments, path, problems)


def check_line_period(line: dict[str, Any], path: str, problems: list[str]) -> None:
    """A service line bills a period; any line's period, when given, is whole and in order."""
    start, end = line.get("period_start"), line.get("period_end")
    if line.get("service") is not None and line.get("charge") is not None:
        problems.append(f"{path}.charge: a line bills a service or a charge, not both")
    if line.get("service") is not None:
        for name, value in (("period_start", start), ("period_end", end)):
            if value is None:
                problems.append(f"{path}.{name}: required for a service line")
    elif start is None and end is not None:
        problems.append(f"{path}.period_start: required with period_end")
    elif end is None and start is not None:
        problems.append(f"{path}.period_end: required with period_start")
    both_dates = start is not None and end is not None
    if both_dates and iso_date(start) is None and iso_date(end) is None and end < start:
        problems.append(f"{path}.period_end: must not be before period_start")


def amounts_total(items: list[tuple[int, Any]], name: str) -> Decimal | None:
    """The sum of the items' amounts, or None when there are none or any is malformed."""
    if not items:
        return None
    total = Decimal(0)
    for _, item in items:
        amount = parse_decimal(item.get(name)) if isinstance(item, dict) else None
        if amount is None:
            return None
        total += amount
    return total


def check_payments_within_total(
    lines: list[tuple[int, Any]], payments: list[tuple[int, Any]], path: str, problems: list[str]
) -> None:
    invoice_total = amounts_total(lines, "amount")
    paid = amounts_total(payments, "amount")
    if invoice_total is not None and paid is not None and paid > invoice_total:
        problems.append(
            f"{path}.payments: payments of {paid} exceed the invoice total of {invoice_total}"
        )


def check_service_references(
    client: dict[str, Any], path: str, tenant_key: Any, check: DocumentCheck
) -> None:
    """Collects invoice lines naming a service the client does not list in the file."""
    service_keys = {
        service.get("key") for _, service in valid_records(list_items(client, "services"))
    }
    for invoice_index, invoice in valid_records(list_items(client, "invoices")):
        for line_index, line in valid_records(list_items(invoice, "lines")):
            service_key = line.get("service")
            if not isinstance(service_key, str) or service_key in service_keys:
                continue
            check.unresolved_services.append(
                ServiceReference(
                    path=f"{path}.invoices[{invoice_index}].lines[{line_index}].service",
                    tenant_key=str(tenant_key),
                    client_key=str(client.get("key")),
                    service_key=service_key,
                )
            )


def live_service_periods(
    invoices: list[tuple[int, Any]], list_path: str
) -> dict[str, list[LinePeriod]]:
    """The periods live (non-void) invoice lines of the file bill, by service key."""
    periods: dict[str, list[LinePeriod]] = {}
    for invoice_index, invoice in valid_records(invoices):
        if invoice.get("status") == VOID:
            continue
        for line_index, line in valid_records(list_items(invoice, "lines")):
            service_key = line.get("service")
            start, end = line.get("period_start"), line.get("period_end")
            dated = all(isinstance(day, str) and iso_date(day) is None for day in (start, end))
            if not isinstance(service_key, str) or not dated or end < start:
                continue
            path = f"{list_path}[{invoice_index}].lines[{line_index}]"
            line_period = LinePeriod(date.fromisoformat(start), date.fromisoformat(end), path)
            periods.setdefault(service_key, []).append(line_period)
    return periods


def check_live_periods(
    invoices: list[tuple[int, Any]], list_path: str, problems: list[str]
) -> None:
    """No day of a service is billed by two lines of live (non-void) imported invoices."""
    for service_key, periods in live_service_periods(invoices, list_path).items():
        earlier: list[LinePeriod] = []
        for period in periods:
            for other in earlier:
                if period.overlaps(other):
                    problems.append(
                        f'{period.path}.period_start: service "{service_key}" period '
                        f"{period.start} to {period.end} overlaps {other.start} to {other.end}, "
                        f"already billed by {other.path}"
                    )
                    break
            earlier.append(period)


def check_charge_lines(client: dict[str, Any], path: str, problems: list[str]) -> None:
    """A line naming a charge names one of its client's charges in the file; a charge is billed
    by at most one live line, and the charge a live line bills is invoiced."""
    charges = {
        charge.get("key"): (index, charge)
        for index, charge in valid_records(list_items(client, "charges"))
    }
    billed_by: dict[str, str] = {}
    for invoice_index, invoice in valid_records(list_items(client, "invoices")):
        for line_index, line in valid_records(list_items(invoice, "lines")):
            charge_key = line.get("charge")
            if not isinstance(charge_key, str) or line.get("service") is not None:
                continue
            line_path = f"{path}.invoices[{invoice_index}].lines[{line_index}]"
            if charge_key not in charges:
                problems.append(
                    f'{line_path}.charge: no charge "{charge_key}" of this client in the file'
                )
                continue
            if invoice.get("status") == VOID:
                continue
            if charge_key in billed_by:
                problems.append(
                    f'{line_path}.charge: the charge "{charge_key}" is already billed by '
                    f"{billed_by[charge_key]}"
                )
                continue
            billed_by[charge_key] = line_path
            charge_index, charge = charges[charge_key]
            if charge.get("status", "pending") != "invoiced":
                problems.append(
                    f'{path}.charges[{charge_index}].status: must be "invoiced": the charge is '
                    f"billed by {line_path}"
                )


def check_line_amount(service: dict[str, Any], path: str, problems: list[str]) -> None:
    """A service's line amount (price × quantity) fits where lines and totals are stored."""
    price = parse_decimal(service.get("price"))
    raw_quantity = service.get("quantity", "1")
    if isinstance(raw_quantity, int) and not isinstance(raw_quantity, bool):
        raw_quantity = str(raw_quantity)
    quantity_value = parse_decimal(raw_quantity)
    if price is None or quantity_value is None:
        return
    if price * quantity_value >= MAX_MONEY:
        problems.append(
            f"{path}.quantity: price × quantity ({price} × {quantity_value}) must be less "
            f"than {MAX_MONEY}"
        )


def check_invoice_sequences(
    clients: list[tuple[int, Any]], prefix: str, list_path: str, problems: list[str]
) -> None:
    """Imported numbers in the tenant's numbering (the prefix and digits) leave room for the
    numbers the product issues after them."""
    numbering = re.compile(re.escape(prefix) + r"(\d+)")
    for client_index, client in valid_records(clients):
        for invoice_index, invoice in valid_records(list_items(client, "invoices")):
            number = invoice.get("number")
            match = numbering.fullmatch(number) if isinstance(number, str) else None
            if match and int(match.group(1)) > MAX_SEQUENCE:
                problems.append(
                    f"{list_path}[{client_index}].invoices[{invoice_index}].number: the "
                    f'sequence after the prefix "{prefix}" must be at most {MAX_SEQUENCE}: new '
                    "invoice numbers count on from it"
                )


def check_unique_invoice_numbers(
    clients: list[tuple[int, Any]], list_path: str, problems: list[str]
) -> None:
    """Invoice numbers are unique within a tenant."""
    first_seen: dict[str, str] = {}
    for client_index, client in valid_records(clients):
        for invoice_index, invoice in valid_records(list_items(client, "invoices")):
            number = invoice.get("number")
            if not isinstance(number, str):
                continue
            path = f"{list_path}[{client_index}].invoices[{invoice_index}]"
            if number in first_seen:
                problems.append(
                    f'{path}.number: invoice number "{number}" is already used by '
                    f"{first_seen[number]}"
                )
            else:
                first_seen[number] = path
