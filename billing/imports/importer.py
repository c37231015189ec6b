"""The data import: a document in the import format, written as an upsert in one transaction.

Records are found by their key within their parent (tenant by key; user and client by tenant and
key; service and charge by client and key; invoice by client and import key; an imported invoice's
payments by position, `"<invoice key>#<n>"` counting from 1). A changed field updates its record,
an unchanged record is not written, and nothing is deleted, except that an imported invoice's lines
follow the file (a line the file no longer has is removed, as the invoice total is their sum).

What the billing system does after an import is kept by a later import: an invoice voided in the
product stays void, an `emailed_at` the file leaves null does not clear a recorded send, and
payments allocated in the product count toward an imported invoice's balance. A service's next
bill date and a charge's status merge with what runs and voids did (`billing.imports.merge`).

Each tenant is read once (its stored keys loaded into dicts), then new rows are bulk-created and
changed rows bulk-updated, so a file of 100,000 clients imports without per-row round trips.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.fields import JSONField
from tortoise.models import Model
from tortoise.transactions import in_transaction

from billing.clients.eligibility import BlockedReason, ChargeStatus, ClientStatus, ServiceStatus
from billing.dates import due_date, grace_date
from billing.delivery.mailbox_password import (
    MailboxPasswordUnreadable,
    open_mailbox_password,
    seal_mailbox_password,
)
from billing.errors import BillingRuleError, ErrorCode
from billing.imports.merge import (
    LiveLine,
    Schedule,
    charge_change_problem,
    file_changes_charge,
    file_changes_schedule,
    file_schedule,
    history_line_problem,
    schedule_move_problem,
)
from billing.imports.validation import (
    VOID,
    ServiceReference,
    check_document,
    cyclic_collection_paused,
)
from billing.invoices.lifecycle import InvoiceStatus, status_for_balance
from billing.invoices.lines import InvoiceLineKind
from billing.invoices.numbering import highest_sequence
from billing.money import to_minor_units
from billing.periods import ServicePeriod
from billing.taxes.calculation import TaxableLine, TaxCalculation, calculate_taxes
from billing.tenants.invoice_settings import currency_change_problem
from billing.tokens import hash_token
from orm.bulk import insert_rows, reserve_ids, update_rows
from orm.db import connection, is_postgres, placeholders
from orm.models import (
    Charge,
    Client,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    Payment,
    PaymentAllocation,
    Service,
    Tenant,
    User,
)

# The largest document the import reads (after decompression): a bound on the memory a file
# can make the import take.
MIB = 1024 * 1024
MAX_DOCUMENT_BYTES = 512 * MIB
READ_BLOCK_BYTES = MIB
CREATE_BATCH_SIZE = 5000
UPDATE_BATCH_SIZE = 500
LOOKUP_CHUNK_SIZE = 5000
IMPORTED_VOID_REASON = "Void in the imported history."
TAX_COLUMNS = (
    "tenant_id", "invoice_id", "category", "rate", "taxable_cents", "tax_cents",
    "exemption_reason",
)  # fmt: skip
KINDS = (
    "tenants",
    "users",
    "clients",
    "services",
    "charges",
    "invoices",
    "invoice lines",
    "payments",
    "allocations",
)


class ImportRejected(BillingRuleError):
    """The document has problems; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        super().__init__(
            ErrorCode.INVALID_INPUT,
            f"import rejected: {count} problem{'s' if count != 1 else ''}, nothing was written",
        )
        self.problems = problems


@dataclass(slots=True)
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(slots=True)
class ImportSummary:
    """How many records of each kind the import created, updated and left unchanged."""

    counts: dict[str, KindCounts] = field(
        default_factory=lambda: {kind: KindCounts() for kind in KINDS}
    )

    def created(self, kind: str) -> int:
        return self.counts[kind].created

    def updated(self, kind: str) -> int:
        return self.counts[kind].updated

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.removed for c in self.counts.values())

    def __str__(self) -> str:
        width = max(len(kind) for kind in KINDS)
        rows = []
        for kind, c in self.counts.items():
            row = f"{kind:<{width}}  {c.created:>8} created  {c.updated:>8} updated"
            row += f"  {c.unchanged:>8} unchanged"
            if c.removed:
                row += f"  {c.removed:>8} removed"
            rows.append(row)
        return "\n".join(rows)


def load_import_file(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> dict[str, Any]:
    """The document in a `.json` or `.json.gz` file, at most `max_bytes` once expanded.

    A file that cannot be read, is larger, is nested deeper than JSON can be read, or is not a
    JSON object raises ImportRejected with the problem."""
    path = Path(path)
    try:
        data = read_capped(path, max_bytes)
        document = json.loads(data.decode("utf-8"))
    except DocumentTooLarge:
        problem = f"larger than the import's limit of {describe_bytes(max_bytes)}"
        if path.name.endswith(".gz"):
            problem += " once decompressed"
        raise ImportRejected([f"{path}: {problem}"]) from None
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        raise ImportRejected([f"{path}: {problem}"]) from None
    except RecursionError:
        problem = "nested too deeply to read (the import format needs about 10 levels)"
        raise ImportRejected([f"{path}: {problem}"]) from None
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        raise ImportRejected([f"{path}: cannot be read ({exc})"]) from None
    if not isinstance(document, dict):
        raise ImportRejected([f"{path}: must hold a JSON object"])
    return document


class DocumentTooLarge(Exception):
    """The file holds more than the import reads."""


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, decompressed for `.gz`, read a block at a time so that a small archive
    expanding to gigabytes is refused at the limit instead of filling memory."""
    opener = gzip.open if path.name.endswith(".gz") else open
    data = bytearray()
    with opener(path, "rb") as stream:
        while block := stream.read(READ_BLOCK_BYTES):
            data += block
            if len(data) > max_bytes:
                raise DocumentTooLarge
    return bytes(data)


def describe_bytes(count: int) -> str:
    if count % MIB == 0:
        return f"{count // MIB} MiB"
    return f"{count} bytes"


async def import_document(document: dict[str, Any], *, signing_key: str) -> ImportSummary:
    """Validates the document and writes it in one transaction; raises ImportRejected listing
    every problem (the file's and those found against the stored data) and writes nothing.

    API tokens are stored hashed and mailbox passwords encrypted under `signing_key`, the
    installation's secret key, the one the API authenticates and the workers send email with."""
    with cyclic_collection_paused():
        # The document is millions of objects, and writing it makes millions more (rows,
        # columns): the collector's passes over them would take half the import's time.
        return await checked_import(document, signing_key)


async def checked_import(document: dict[str, Any], signing_key: str) -> ImportSummary:
    check = check_document(document)
    if check.problems:
        raise ImportRejected(check.problems)
    summary = ImportSummary()
    tenant_imports = [
        TenantImport(tenant, f"tenants[{index}]", summary, signing_key)
        for index, tenant in enumerate(document["tenants"])
    ]
    async with in_transaction():
        problems: list[str] = []
        for tenant_import in tenant_imports:
            problems += await tenant_import.read_stored(check.unresolved_services)
        if problems:
            raise ImportRejected(problems)
        for tenant_import in tenant_imports:
            await tenant_import.write()
    return summary


# Mapping records of the file to table columns.


@lru_cache(maxsize=65536)
def file_minor_units(amount: str, currency: str) -> int:
    """An amount of the file in the currency's minor units; a file repeats its few prices
    many times, and converting one costs more than looking it up."""
    return to_minor_units(amount, currency)


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def tenant_columns(record: dict[str, Any]) -> dict[str, Any]:
    settings = record["settings"]
    mailbox = settings.get("mailbox") or {}
    late_fee, currency = settings.get("late_fee_amount"), record["currency"]
    return {
        "name": record["name"],
        "currency": record["currency"],
        "timezone": record["timezone"],
        "legal_name": record.get("legal_name"),
        "address": record.get("address"),
        "tax_id": record.get("tax_id"),
        "payment_terms_days": settings["payment_terms_days"],
        "grace_period_days": settings["grace_period_days"],
        "billing_cycle_day": settings.get("billing_cycle_day"),
        "auto_generate": settings["auto_generate"],
        "auto_email": settings["auto_email"],
        "auto_charge": settings["auto_charge"],
        "review_runs": settings.get("review_runs", False),
        "invoice_number_prefix": settings["invoice_number_prefix"],
        "credit_note_number_prefix": settings.get("credit_note_number_prefix", "CN-"),
        "prices_include_tax": settings.get("prices_include_tax", False),
        "default_tax_rate": optional_decimal(settings.get("default_tax_rate")),
        "payment_instructions": settings.get("payment_instructions"),
        "issued_invoices_immutable": settings.get("issued_invoices_immutable", False),
        "reminder_days": list(settings.get("reminder_days", [])),
        "late_fee_cents": None if late_fee is None else file_minor_units(late_fee, currency),
        "late_fee_percent": optional_decimal(settings.get("late_fee_percent")),
        "block_after_grace": settings.get("block_after_grace", False),
        "auto_apply_credit": settings.get("auto_apply_credit", True),
        "mailbox_host": mailbox.get("host"),
        "mailbox_port": mailbox.get("port"),
        "mailbox_username": mailbox.get("username"),
        "mailbox_password": mailbox.get("password"),
        "mailbox_starttls": mailbox.get("starttls", False),
        "mailbox_from_address": mailbox.get("from_address"),
    }


def user_columns(record: dict[str, Any], server_key: str) -> dict[str, Any]:
    return {
        "name": record["name"],
        "token_hash": hash_token(record["token"], server_key),
        "permissions": list(record["permissions"]),
    }


def client_columns(record: dict[str, Any]) -> dict[str, Any]:
    blocked = record.get("blocked", False)
    return {
        "name": record["name"],
        "email": record.get("email"),
        "status": ClientStatus(record.get("status", ClientStatus.ACTIVE)),
        "blocked": blocked,
        "blocked_reason": file_blocked_reason(record) if blocked else None,
        "stripe_customer_id": record.get("stripe_customer_id"),
        "stripe_payment_method_id": record.get("stripe_payment_method_id"),
        "address": record.get("address"),
        "tax_id": record.get("tax_id"),
        "tax_exempt": record.get("tax_exempt", False),
        "tax_exempt_reason": record.get("tax_exempt_reason"),
    }


def file_blocked_reason(record: dict[str, Any]) -> BlockedReason:
    """Why the file's blocked client is blocked: by a person unless the file says otherwise."""
    return BlockedReason(record.get("blocked_reason") or BlockedReason.MANUAL)


def optional_decimal(value: str | None) -> Decimal | None:
    """A percent of the file (a rate, a late fee percent) as a Decimal; None stays None."""
    return None if value is None else Decimal(value)


def service_columns(
    record: dict[str, Any], currency: str, schedule: Schedule | None = None
) -> dict[str, Any]:
    """The service's columns; its schedule is the file's unless the product's is kept."""
    next_bill_date = date.fromisoformat(record["next_bill_date"])
    schedule = schedule or file_schedule(next_bill_date)
    return {
        "description": record["description"],
        "price_cents": file_minor_units(record["price"], currency),
        "quantity": Decimal(str(record.get("quantity", "1"))),
        "period": ServicePeriod(record["period"]),
        "next_bill_date": schedule.next_bill_date,
        "anchor_day": schedule.anchor_day,
        "imported_next_bill_date": next_bill_date,
        "status": ServiceStatus(record.get("status", ServiceStatus.ACTIVE)),
        "billable": record.get("billable", True),
        "auto_email": record.get("auto_email"),
        "tax_rate": optional_decimal(record.get("tax_rate")),
    }


def file_charge_status(record: dict[str, Any]) -> ChargeStatus:
    return ChargeStatus(record.get("status", ChargeStatus.PENDING))


def charge_columns(
    record: dict[str, Any], currency: str, status: ChargeStatus | None = None
) -> dict[str, Any]:
    """The charge's columns; its status is the file's unless the product's is kept."""
    return {
        "description": record["description"],
        "amount_cents": file_minor_units(record["amount"], currency),
        "scheduled_on": date.fromisoformat(record["scheduled_on"]),
        "status": status or file_charge_status(record),
        "imported_status": file_charge_status(record),
        "tax_rate": optional_decimal(record.get("tax_rate")),
    }


def line_columns(
    record: dict[str, Any],
    service_id: int | None,
    charge_id: int | None,
    live: bool,
    currency: str,
) -> dict[str, Any]:
    amount_cents = file_minor_units(record["amount"], currency)
    return {
        "kind": InvoiceLineKind.SERVICE if service_id else InvoiceLineKind.ONE_TIME_CHARGE,
        "description": record["description"],
        "quantity": Decimal(1),
        "unit_price_cents": amount_cents,
        "amount_cents": amount_cents,
        "period_start": parse_date(record.get("period_start")),
        "period_end": parse_date(record.get("period_end")),
        "service_id": service_id,
        "charge_id": charge_id,
        "live": live,
        # Stored as given; the invoice's total is the file's sum of its lines.
        "tax_rate": optional_decimal(record.get("tax_rate")),
    }


def imported_taxes(lines: Sequence[dict[str, Any]]) -> TaxCalculation | None:
    """The taxes of an imported invoice whose lines carry rates, worked out as its documents
    show them: the lines' amounts are net, the tax is added per rate (rounded once per rate), a
    line without a rate carries none. None where no line carries a rate: the invoice's total is
    then the sum of its lines, as the file charged them."""
    rates = [line.get("tax_rate") for line in lines]
    if all(rate is None for rate in rates):
        return None
    return calculate_taxes(
        [
            TaxableLine(line["amount_cents"], None if rate is None else Decimal(str(rate)))
            for line, rate in zip(lines, rates, strict=True)
        ],
        prices_include_tax=False,
    )


def payment_columns(record: dict[str, Any], currency: str) -> dict[str, Any]:
    amount_cents = file_minor_units(record["amount"], currency)
    return {
        "amount_cents": amount_cents,
        # Each imported payment is allocated in full to its invoice (`write_allocations`): it
        # holds nothing for the client's credit balance.
        "allocated_cents": amount_cents,
        "currency": currency,
        "paid_on": date.fromisoformat(record["paid_on"]),
        "method": record["method"],
    }


def payment_import_key(invoice_key: str, position: int) -> str:
    return f"{invoice_key}#{position + 1}"


def chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Comparing with stored rows and writing the difference.


@dataclass(slots=True)
class Upsert:
    """The rows of one table to create and to update, found by comparing wanted and stored rows."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0

    def add(
        self, stored: dict[str, Any] | None, identity: dict[str, Any], columns: dict[str, Any]
    ) -> None:
        """A wanted row: created when not stored, updated when any column differs."""
        if stored is None:
            self.creates.append(identity | columns)
        elif any(stored[name] != value for name, value in columns.items()):
            self.updates.append((stored["id"], columns))
        else:
            self.unchanged += 1

    async def write(
        self, model: type[Model], counts: KindCounts, new_ids: NewIds | None = None
    ) -> dict[Any, int]:
        """Writes the creates and updates; returns the ids of the rows created, by `new_ids`'
        key (on SQLite, where ids come with each insert: of every row its filters match)."""
        by_names: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in self.creates:
            by_names[tuple(row)].append(row)
        ids: dict[Any, int] = {}
        for rows in by_names.values():
            taken = await bulk_insert_dicts(model, rows, with_ids=new_ids is not None)
            if new_ids is not None and taken is not None:
                key_of = itemgetter(*new_ids.columns)
                ids |= {key_of(row): row_id for row, row_id in zip(rows, taken, strict=True)}
        if new_ids is not None and self.creates and not is_postgres():
            ids = await new_ids.read_back(model)
        # Rows are updated in groups with the same columns: each statement writes each named
        # column of every row it is given.
        by_columns: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for row_id, columns in self.updates:
            by_columns[tuple(sorted(columns))].append((row_id, columns))
        for names, updates in by_columns.items():
            await bulk_update_dicts(model, names, updates)
        counts.created += len(self.creates)
        counts.updated += len(self.updates)
        counts.unchanged += self.unchanged
        return ids


@dataclass(frozen=True, slots=True)
class NewIds:
    """How the ids of created rows are keyed (one column: by its value; several: by a tuple),
    and on SQLite the filter that reads them back."""

    columns: tuple[str, ...]
    filters: dict[str, Any]

    async def read_back(self, model: type[Model]) -> dict[Any, int]:
        rows = await model.filter(**self.filters).values_list(*self.columns, "id")
        return {(row[0] if len(row) == 2 else tuple(row[:-1])): row[-1] for row in rows}


def column_defaults(model: type[Model], names: Iterable[str]) -> dict[str, Any]:
    """The values a new row takes for the model's columns not named: their defaults."""
    defaults = {}
    meta = model._meta
    for name, field_object in meta.fields_map.items():
        if name in names or name not in meta.fields_db_projection or field_object.pk:
            continue
        if getattr(field_object, "auto_now_add", False) or getattr(field_object, "auto_now", False):
            defaults[name] = datetime.now(UTC)
        elif callable(field_object.default):
            defaults[name] = field_object.default()
        else:
            defaults[name] = field_object.default
    return defaults


def json_positions(model: type[Model], names: Sequence[str]) -> list[int]:
    """Where JSON columns are among `names`: asyncpg encodes Python's dates, decimals, numbers,
    text and StrEnums itself; JSON goes as its text. (The ORM's own conversion, which also
    checks every value, cost more than the COPY.)"""
    fields_map = model._meta.fields_map
    return [index for index, name in enumerate(names) if isinstance(fields_map[name], JSONField)]


def copy_record(values: Iterable[Any], json_at: Sequence[int]) -> tuple[Any, ...]:
    record = tuple(values)
    if not json_at:
        return record
    as_list = list(record)
    for index in json_at:
        if as_list[index] is not None:
            as_list[index] = json.dumps(as_list[index])
    return tuple(as_list)


async def copy_new_rows(
    model: type[Model], rows: list[dict[str, Any]], with_ids: bool
) -> list[int] | None:
    """Inserts rows naming the same columns on PostgreSQL, COPYed straight into the table inside
    the import's transaction; `with_ids`: their ids are taken from the table's sequence first
    and returned (rows that others refer to), else the table gives them."""
    conn = connection()
    meta = model._meta
    defaults = column_defaults(model, rows[0])
    names = [*rows[0], *defaults]
    json_at = json_positions(model, names)
    default_values = tuple(defaults.values())
    columns = [meta.fields_db_projection[name] for name in names]
    if not with_ids:
        records = [copy_record((*row.values(), *default_values), json_at) for row in rows]
        await insert_rows(conn, meta.db_table, columns, records)
        return None
    ids = await reserve_ids(conn, meta.db_table, len(rows)) or []
    json_at = [index + 1 for index in json_at]
    records = [
        copy_record((row_id, *row.values(), *default_values), json_at)
        for row_id, row in zip(ids, rows, strict=True)
    ]
    await insert_rows(conn, meta.db_table, ["id", *columns], records)
    return ids


async def bulk_update_dicts(
    model: type[Model], names: tuple[str, ...], updates: list[tuple[int, dict[str, Any]]]
) -> None:
    """Writes the named columns of each (id, columns) row: on PostgreSQL through a COPYed
    staging table and one UPDATE, on SQLite through the ORM's bulk_update."""
    conn = connection()
    if not is_postgres(conn):
        objects = [model(id=row_id, **columns) for row_id, columns in updates]
        await model.bulk_update(objects, list(names), batch_size=UPDATE_BATCH_SIZE)
        return
    meta = model._meta
    json_at = [i + 1 for i in json_positions(model, names)]
    records = [
        copy_record((row_id, *(columns[name] for name in names)), json_at)
        for row_id, columns in updates
    ]
    columns = [meta.fields_db_projection[name] for name in names]
    await update_rows(conn, meta.db_table, columns, records)


async def bulk_insert_dicts(
    model: type[Model], rows: list[dict[str, Any]], with_ids: bool = False
) -> list[int] | None:
    """Inserts rows naming the same columns: COPY on PostgreSQL (see `copy_new_rows`); on
    SQLite in batches of one prepared statement, what bulk_create runs, without building a
    model object per row (no ids returned there)."""
    if is_postgres():
        return await copy_new_rows(model, rows, with_ids)
    conn = connection()
    meta = model._meta
    defaults = column_defaults(model, rows[0])
    names = [*rows[0], *defaults]
    fields = [meta.fields_map[name] for name in names]
    columns = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
    markers = ", ".join(placeholders(conn, len(names)))
    sql = f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({markers})'
    given = fields[: len(rows[0])]
    default_values = [
        field_object.to_db_value(value, model)
        for field_object, value in zip(fields[len(given) :], defaults.values(), strict=True)
    ]
    for batch in chunks(rows, CREATE_BATCH_SIZE):
        values = [
            [
                field_object.to_db_value(value, model)
                for field_object, value in zip(given, row.values(), strict=True)
            ]
            + default_values
            for row in batch
        ]
        await conn.execute_many(sql, values)
    return None


@dataclass(slots=True)
class StoredTenant:
    """What a tenant already has, keyed as the file keys it (empty for a new tenant)."""

    tenant: dict[str, Any] | None = None
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    charges: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    invoices: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    lines: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    payments: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    allocations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


async def stored_rows(model: type[Model], key_fields: tuple[str, ...], **filters: Any) -> dict:
    """Stored rows of a table keyed by one field or a tuple of fields."""
    query = model.filter(**filters).values()
    if is_postgres() and not any(
        isinstance(field_object, JSONField) for field_object in model._meta.fields_map.values()
    ):
        # The rows as asyncpg reads them (dates, decimals, aware datetimes; enumerations as
        # their text, which StrEnums equal): the ORM's conversion of each value cost more than
        # reading them, on a re-import of 100,000 clients several seconds. The filters are ids
        # and fixed conditions, written into the SQL by the ORM.
        rows = await connection().execute_query_dict(query.sql(params_inline=True))
    else:
        rows = await query
    if len(key_fields) == 1:
        return {row[key_fields[0]]: row for row in rows}
    return {tuple(row[name] for name in key_fields): row for row in rows}


async def live_service_lines(service_ids: list[int]) -> dict[int, list[LiveLine]]:
    """The periods live invoices bill for the services, by service id."""
    lines: dict[int, list[LiveLine]] = defaultdict(list)
    for chunk in chunks(service_ids):
        rows = await InvoiceLine.filter(live=True, service_id__in=chunk).values_list(
            "service_id", "period_start", "period_end", "invoice_id", "invoice__number"
        )
        for service_id, start, end, invoice_id, number in rows:
            if start is not None:
                lines[service_id].append(LiveLine(start, end or start, number or str(invoice_id)))
    return lines


async def live_invoice_numbers(invoice_ids: list[int]) -> dict[int, str]:
    """The invoices among these that are not void, id → number (the id for a draft)."""
    numbers = {}
    for chunk in chunks(invoice_ids):
        rows = (
            await Invoice.filter(id__in=chunk)
            .exclude(status=InvoiceStatus.VOID)
            .values_list("id", "number")
        )
        numbers |= {invoice_id: number or str(invoice_id) for invoice_id, number in rows}
    return numbers


async def read_stored_tenant(tenant_key: str) -> StoredTenant:
    tenant = await Tenant.filter(key=tenant_key).values()
    if not tenant:
        return StoredTenant()
    tenant_id = tenant[0]["id"]
    imported = {"tenant_id": tenant_id, "invoice__import_key__not_isnull": True}
    allocations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in await PaymentAllocation.filter(**imported).values():
        allocations[row["invoice_id"]].append(row)
    return StoredTenant(
        tenant=tenant[0],
        users=await stored_rows(User, ("key",), tenant_id=tenant_id),
        clients=await stored_rows(Client, ("key",), tenant_id=tenant_id),
        services=await stored_rows(Service, ("client_id", "key"), tenant_id=tenant_id),
        charges=await stored_rows(Charge, ("client_id", "key"), tenant_id=tenant_id),
        invoices=await stored_rows(
            Invoice, ("client_id", "import_key"), tenant_id=tenant_id, import_key__not_isnull=True
        ),
        lines=await stored_rows(InvoiceLine, ("invoice_id", "position"), **imported),
        payments=await stored_rows(
            Payment, ("client_id", "import_key"), tenant_id=tenant_id, import_key__not_isnull=True
        ),
        allocations=dict(allocations),
    )


class TenantImport:
    """One tenant of a validated document: its stored rows are read once, then the differences
    are written kind by kind, parents before children."""

    def __init__(
        self, record: dict[str, Any], path: str, summary: ImportSummary, server_key: str
    ) -> None:
        self.record = record
        self.path = path
        self.summary = summary
        self.server_key = server_key
        self.stored = StoredTenant()
        self.tenant_id: int | None = None
        self.client_ids: dict[str, int] = {}
        self.service_ids: dict[tuple[int, str], int] = {}
        self.charge_ids: dict[tuple[int, str], int] = {}
        self.clients = list(enumerate(record.get("clients", [])))
        # Stored services' schedules and charges' statuses after merging the file's.
        self.schedules: dict[tuple[int, str], Schedule] = {}
        self.charge_statuses: dict[tuple[int, str], ChargeStatus] = {}
        # Stored charges a live invoice bills: charge id → that invoice's id and number.
        self.billed_charges: dict[int, tuple[int, str]] = {}

    def client_path(self, index: int) -> str:
        return f"{self.path}.clients[{index}]"

    async def read_stored(self, references: Sequence[ServiceReference]) -> list[str]:
        """Reads what the tenant already has; returns the problems found against it."""
        self.stored = await read_stored_tenant(self.record["key"])
        if self.stored.tenant:
            self.tenant_id = self.stored.tenant["id"]
            self.client_ids = {key: row["id"] for key, row in self.stored.clients.items()}
            self.service_ids = {key: row["id"] for key, row in self.stored.services.items()}
            self.charge_ids = {key: row["id"] for key, row in self.stored.charges.items()}
        return (
            await self.token_conflicts()
            + await self.currency_change()
            + self.unknown_services(references)
            + await self.number_conflicts()
            + await self.billed_period_conflicts()
            + self.payments_on_void_invoices()
            + await self.schedule_conflicts()
            + await self.charge_conflicts()
            + self.charge_line_conflicts()
            + self.history_line_problems()
        )

    async def write(self) -> None:
        try:
            await self.write_tenant()
            await self.write_users()
            await self.write_clients()
            await self.write_services()
            await self.write_charges()
            await self.write_invoices()
        except IntegrityError as exc:
            raise ImportRejected([f"{self.path}: refused by the database ({exc})"]) from exc

    # Problems found against the stored data.

    async def token_conflicts(self) -> list[str]:
        """A token already identifying a user other than the same user of this tenant."""
        users = list(enumerate(self.record.get("users", [])))
        hashes = {hash_token(user["token"], self.server_key): index for index, user in users}
        holders = await User.filter(token_hash__in=list(hashes)).values(
            "tenant_id", "key", "token_hash"
        )
        problems = []
        for holder in holders:
            index = hashes[holder["token_hash"]]
            same_user = (
                holder["tenant_id"] == self.tenant_id and holder["key"] == users[index][1]["key"]
            )
            if not same_user:
                problems.append(f"{self.path}.users[{index}].token: already used by another user")
        return problems

    async def currency_change(self) -> list[str]:
        """The currency is the one of the invoices issued: it cannot change once there are any."""
        stored = self.stored.tenant
        if stored is None or self.tenant_id is None:
            return []
        problem = await currency_change_problem(
            self.tenant_id, stored["currency"], self.record["currency"]
        )
        return [f"{self.path}.currency: {problem}"] if problem else []

    def file_services(self) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """Every service of the file with its path and its client's stored id (0 when new)."""
        for client_index, client in self.clients:
            client_id = self.client_ids.get(client["key"], 0)
            for index, service in enumerate(client.get("services", [])):
                yield f"{self.client_path(client_index)}.services[{index}]", client_id, service

    def file_charges(self) -> Iterator[tuple[str, int, dict[str, Any]]]:
        for client_index, client in self.clients:
            client_id = self.client_ids.get(client["key"], 0)
            for index, charge in enumerate(client.get("charges", [])):
                yield f"{self.client_path(client_index)}.charges[{index}]", client_id, charge

    async def schedule_conflicts(self) -> list[str]:
        """Merges each stored service's schedule with the file's; the problems are moves back
        over periods live invoices bill."""
        moves: list[tuple[str, int, Schedule, date]] = []
        for path, client_id, service in self.file_services():
            key = (client_id, service["key"])
            row = self.stored.services.get(key)
            if row is None:
                continue
            stored = Schedule(row["next_bill_date"], row["anchor_day"])
            wanted = date.fromisoformat(service["next_bill_date"])
            if not file_changes_schedule(stored, row["imported_next_bill_date"], wanted):
                self.schedules[key] = stored
                continue
            self.schedules[key] = file_schedule(wanted)
            if wanted < stored.next_bill_date:
                moves.append((f"{path}.next_bill_date", row["id"], stored, wanted))
        live = await live_service_lines([row_id for _, row_id, _, _ in moves])
        return [
            f"{path}: {problem}"
            for path, row_id, stored, wanted in moves
            if (problem := schedule_move_problem(wanted, stored, live.get(row_id, [])))
        ]

    async def charge_conflicts(self) -> list[str]:
        """Merges each stored charge's status with the file's; the problems are changes to a
        charge a live invoice bills."""
        invoice_ids = {row["invoice_id"] for row in self.stored.charges.values()}
        live_invoices = await live_invoice_numbers(sorted(i for i in invoice_ids if i))
        self.billed_charges = {
            row["id"]: (row["invoice_id"], live_invoices[row["invoice_id"]])
            for row in self.stored.charges.values()
            if row["invoice_id"] in live_invoices
        }
        problems = []
        for path, client_id, charge in self.file_charges():
            key = (client_id, charge["key"])
            row = self.stored.charges.get(key)
            if row is None:
                continue
            billed_by = self.billed_charges.get(row["id"], (0, None))[1]
            stored, wanted = ChargeStatus(row["status"]), file_charge_status(charge)
            last = row["imported_status"] and ChargeStatus(row["imported_status"])
            if not file_changes_charge(stored, billed_by is not None, last, wanted):
                self.charge_statuses[key] = stored
                continue
            self.charge_statuses[key] = wanted
            if problem := charge_change_problem(wanted, billed_by is not None, billed_by):
                problems.append(f"{path}.status: {problem}")
        return problems

    def charge_line_conflicts(self) -> list[str]:
        """Live imported lines naming a charge another live invoice already bills."""
        problems = []
        for path, client_id, invoice in self.file_invoices():
            stored = self.stored.invoices.get((client_id, invoice["key"]))
            if invoice.get("status") == VOID or (stored and stored["status"] == VOID):
                continue
            for index, line in enumerate(invoice["lines"]):
                charge_id = self.charge_ids.get((client_id, line.get("charge") or ""))
                billed_by = self.billed_charges.get(charge_id or 0)
                if billed_by and (stored is None or billed_by[0] != stored["id"]):
                    problems.append(
                        f'{path}.lines[{index}].charge: the charge "{line["charge"]}" is '
                        f"already billed by invoice {billed_by[1]}"
                    )
        return problems

    def service_schedules(self) -> dict[tuple[str, str], tuple[Schedule, ServicePeriod]]:
        """Every service a line of the file may name, by client and service key, with the
        schedule and period it will have after the import."""
        client_keys = {client_id: key for key, client_id in self.client_ids.items()}
        schedules = {
            (client_keys[client_id], key): (
                Schedule(row["next_bill_date"], row["anchor_day"]),
                ServicePeriod(row["period"]),
            )
            for (client_id, key), row in self.stored.services.items()
        }
        for _, client in self.clients:
            client_id = self.client_ids.get(client["key"], 0)
            for service in client.get("services", []):
                wanted = file_schedule(date.fromisoformat(service["next_bill_date"]))
                schedule = self.schedules.get((client_id, service["key"]), wanted)
                schedules[client["key"], service["key"]] = (
                    schedule,
                    ServicePeriod(service["period"]),
                )
        return schedules

    def history_line_problems(self) -> list[str]:
        """Live imported service lines that would overlap what their service bills next."""
        schedules = self.service_schedules()
        problems = []
        for client_index, client in self.clients:
            for invoice_index, invoice in enumerate(client.get("invoices", [])):
                path = f"{self.client_path(client_index)}.invoices[{invoice_index}]"
                stored = self.stored.invoices.get(
                    (self.client_ids.get(client["key"], 0), invoice["key"])
                )
                if invoice.get("status") == VOID or (stored and stored["status"] == VOID):
                    continue
                for index, line in enumerate(invoice["lines"]):
                    service = schedules.get((client["key"], line.get("service") or ""))
                    if service is None:
                        continue
                    start, end = parse_date(line["period_start"]), parse_date(line["period_end"])
                    if problem := history_line_problem(start, end, *service):
                        problems.append(f"{path}.lines[{index}].period_start: {problem}")
        return problems

    def unknown_services(self, references: Sequence[ServiceReference]) -> list[str]:
        """Invoice lines naming a service of their client that neither the file nor the
        database has."""
        problems = []
        for reference in references:
            if reference.tenant_key != self.record["key"]:
                continue
            client_id = self.client_ids.get(reference.client_key)
            if (client_id, reference.service_key) not in self.service_ids:
                problems.append(reference.problem("in the file or the database"))
        return problems

    def file_invoices(self) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """Every invoice of the file with its path and its client's stored id (0 when new)."""
        for client_index, client in self.clients:
            client_id = self.client_ids.get(client["key"], 0)
            for invoice_index, invoice in enumerate(client.get("invoices", [])):
                yield (
                    f"{self.client_path(client_index)}.invoices[{invoice_index}]",
                    client_id,
                    invoice,
                )

    async def number_conflicts(self) -> list[str]:
        """Imported invoice numbers already held by another invoice of the tenant."""
        if self.tenant_id is None:
            return []
        wanted = {
            invoice["number"]: (path, client_id, invoice["key"])
            for path, client_id, invoice in self.file_invoices()
            if invoice.get("number")
        }
        problems = []
        for numbers in chunks(list(wanted)):
            holders = await Invoice.filter(tenant_id=self.tenant_id, number__in=numbers).values(
                "client_id", "import_key", "number"
            )
            for holder in holders:
                path, client_id, key = wanted[holder["number"]]
                if (holder["client_id"], holder["import_key"]) != (client_id, key):
                    problems.append(
                        f'{path}.number: invoice number "{holder["number"]}" is already used by '
                        "another invoice of this tenant"
                    )
        return problems

    async def billed_period_conflicts(self) -> list[str]:
        """Live imported lines billing a stored service's period another live invoice bills."""
        claims: dict[tuple[int, date], tuple[str, int | None]] = {}
        voided_by_file: set[int] = set()
        for path, client_id, invoice in self.file_invoices():
            stored = self.stored.invoices.get((client_id, invoice["key"]))
            if invoice.get("status") == VOID or (stored and stored["status"] == VOID):
                if stored:
                    voided_by_file.add(stored["id"])
                continue
            for index, line in enumerate(invoice["lines"]):
                service_id = self.service_ids.get((client_id, line.get("service") or ""))
                if service_id:
                    claim = (service_id, date.fromisoformat(line["period_start"]))
                    claims[claim] = (f"{path}.lines[{index}]", stored["id"] if stored else None)
        problems = []
        service_ids = sorted({service_id for service_id, _ in claims})
        for chunk in chunks(service_ids):
            billed = await InvoiceLine.filter(live=True, service_id__in=chunk).values_list(
                "service_id", "period_start", "invoice_id", "invoice__number"
            )
            for service_id, period_start, invoice_id, number in billed:
                claim = claims.get((service_id, period_start))
                if claim and invoice_id != claim[1] and invoice_id not in voided_by_file:
                    problems.append(
                        f"{claim[0]}.period_start: the period starting {period_start} is already "
                        f"billed by invoice {number or invoice_id}"
                    )
        return problems

    def payments_on_void_invoices(self) -> list[str]:
        problems = []
        for path, client_id, invoice in self.file_invoices():
            stored = self.stored.invoices.get((client_id, invoice["key"]))
            if stored and stored["status"] == VOID and invoice.get("payments"):
                problems.append(f"{path}.payments: the invoice is void and cannot take payments")
        return problems

    # Writing, parents before children.

    async def write_tenant(self) -> None:
        columns = tenant_columns(self.record)
        columns["mailbox_password"] = self.sealed_mailbox_password(columns["mailbox_password"])
        stored_sequence = self.stored.tenant["invoice_sequence"] if self.stored.tenant else 0
        numbers = [invoice.get("number") for _, _, invoice in self.file_invoices()]
        numbers += [row["number"] for row in self.stored.invoices.values()]
        sequence = highest_sequence(numbers, columns["invoice_number_prefix"])
        # New numbers (prefix + sequence) must never collide with imported ones.
        columns["invoice_sequence"] = max(stored_sequence, sequence)
        upsert = Upsert()
        upsert.add(self.stored.tenant, {"key": self.record["key"]}, columns)
        await upsert.write(Tenant, self.summary.counts["tenants"])
        if self.tenant_id is None:
            self.tenant_id = (await Tenant.get(key=self.record["key"])).id

    def sealed_mailbox_password(self, password: str | None) -> str | None:
        """The file's password encrypted; the stored ciphertext where it holds the same
        password, so an unchanged tenant is not rewritten."""
        if password is None:
            return None
        stored = (self.stored.tenant or {}).get("mailbox_password")
        if stored:
            try:
                if open_mailbox_password(stored, self.server_key) == password:
                    return stored
            except MailboxPasswordUnreadable:
                pass  # stored under another key: replaced by the file's
        return seal_mailbox_password(password, self.server_key)

    async def write_users(self) -> None:
        upsert = Upsert()
        for user in self.record.get("users", []):
            identity = {"tenant_id": self.tenant_id, "key": user["key"]}
            columns = user_columns(user, self.server_key)
            upsert.add(self.stored.users.get(user["key"]), identity, columns)
        await upsert.write(User, self.summary.counts["users"])

    async def write_clients(self) -> None:
        upsert = Upsert()
        for _, client in self.clients:
            identity = {"tenant_id": self.tenant_id, "key": client["key"]}
            upsert.add(self.stored.clients.get(client["key"]), identity, client_columns(client))
        new_ids = NewIds(("key",), {"tenant_id": self.tenant_id})
        self.client_ids |= await upsert.write(Client, self.summary.counts["clients"], new_ids)

    async def write_services(self) -> None:
        upsert = Upsert()
        for _, client in self.clients:
            client_id = self.client_ids[client["key"]]
            for service in client.get("services", []):
                key = (client_id, service["key"])
                identity = {"tenant_id": self.tenant_id, "client_id": client_id, "key": key[1]}
                columns = service_columns(service, self.record["currency"], self.schedules.get(key))
                upsert.add(self.stored.services.get(key), identity, columns)
        new_ids = NewIds(("client_id", "key"), {"tenant_id": self.tenant_id})
        self.service_ids |= await upsert.write(Service, self.summary.counts["services"], new_ids)

    async def write_charges(self) -> None:
        upsert = Upsert()
        for _, client in self.clients:
            client_id = self.client_ids[client["key"]]
            for charge in client.get("charges", []):
                key = (client_id, charge["key"])
                identity = {"tenant_id": self.tenant_id, "client_id": client_id, "key": key[1]}
                columns = charge_columns(
                    charge, self.record["currency"], self.charge_statuses.get(key)
                )
                upsert.add(self.stored.charges.get(key), identity, columns)
        new_ids = NewIds(("client_id", "key"), {"tenant_id": self.tenant_id})
        self.charge_ids |= await upsert.write(Charge, self.summary.counts["charges"], new_ids)

    async def write_invoices(self) -> None:
        await InvoiceHistory(self).write()


@dataclass(slots=True)
class FileInvoice:
    """An invoice of the file with its client's id, its stored row and the lines it becomes."""

    client_id: int
    record: dict[str, Any]
    stored: dict[str, Any] | None
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.record["key"]

    @property
    def void(self) -> bool:
        """Void in the file, or voided in the product (void is final)."""
        voided_in_product = self.stored is not None and self.stored["status"] == VOID
        return self.record.get("status") == VOID or voided_in_product


class InvoiceHistory:
    """The imported invoices of one tenant, with their lines, payments and allocations."""

    def __init__(self, tenant_import: TenantImport) -> None:
        self.tenant_import = tenant_import
        self.tenant_id = tenant_import.tenant_id
        self.tenant = tenant_columns(tenant_import.record)
        self.stored = tenant_import.stored
        self.counts = tenant_import.summary.counts
        self.invoice_ids = {key: row["id"] for key, row in self.stored.invoices.items()}
        self.payment_ids = {key: row["id"] for key, row in self.stored.payments.items()}
        self.invoices = list(self.file_invoices())

    def file_invoices(self) -> Iterator[FileInvoice]:
        service_ids = self.tenant_import.service_ids
        charge_ids = self.tenant_import.charge_ids
        for _, client in self.tenant_import.clients:
            client_id = self.tenant_import.client_ids[client["key"]]
            for record in client.get("invoices", []):
                stored = self.stored.invoices.get((client_id, record["key"]))
                invoice = FileInvoice(client_id, record, stored)
                for line in record["lines"]:
                    service_id = service_ids.get((client_id, line.get("service") or ""))
                    charge_id = charge_ids.get((client_id, line.get("charge") or ""))
                    invoice.lines.append(
                        line_columns(
                            line, service_id, charge_id, not invoice.void, self.tenant["currency"]
                        )
                    )
                yield invoice

    async def write(self) -> None:
        await self.write_invoices()
        await self.write_lines()
        await self.write_taxes()
        await self.link_charges()
        await self.write_payments()
        await self.write_allocations()

    async def link_charges(self) -> None:
        """A charge a live imported invoice bills is invoiced on it, so that voiding the
        invoice with reset puts the charge back to pending."""
        stored = {row["id"]: row for row in self.stored.charges.values()}
        for invoice in self.invoices:
            if invoice.void:
                continue
            invoice_id = self.invoice_ids[invoice.client_id, invoice.key]
            for line in invoice.lines:
                charge_id = line["charge_id"]
                if charge_id is None:
                    continue
                row = stored.get(charge_id)
                invoiced = row is not None and ChargeStatus(row["status"]) == ChargeStatus.INVOICED
                if row and row["invoice_id"] == invoice_id and invoiced:
                    continue
                await Charge.filter(id=charge_id).update(
                    invoice_id=invoice_id, status=ChargeStatus.INVOICED
                )
                if row:
                    self.counts["charges"].updated += 1

    def paid_elsewhere_cents(self, invoice: FileInvoice) -> int:
        """Allocations to a stored invoice from payments the file does not list for it."""
        if invoice.stored is None:
            return 0
        listed = {
            self.payment_ids.get((invoice.client_id, payment_import_key(invoice.key, position)))
            for position in range(len(invoice.record.get("payments", [])))
        }
        allocations = self.stored.allocations.get(invoice.stored["id"], [])
        return sum(row["amount_cents"] for row in allocations if row["payment_id"] not in listed)

    def invoice_columns(self, invoice: FileInvoice) -> dict[str, Any]:
        issued_on = date.fromisoformat(invoice.record["issued_on"])
        due_on = due_date(issued_on, self.tenant["payment_terms_days"])
        taxes = imported_taxes(invoice.lines)
        subtotal_cents = sum(line["amount_cents"] for line in invoice.lines)
        tax_cents = 0 if taxes is None else taxes.tax_total
        total_cents = subtotal_cents + tax_cents
        starts = [line["period_start"] for line in invoice.lines if line["period_start"]]
        ends = [line["period_end"] for line in invoice.lines if line["period_end"]]
        columns: dict[str, Any] = {
            "number": invoice.record.get("number"),
            "issued_on": issued_on,
            "due_on": due_on,
            "grace_until": grace_date(due_on, self.tenant["grace_period_days"]),
            "period_start": min(starts, default=None),
            "period_end": max(ends, default=None),
            "currency": self.tenant["currency"],
            "subtotal_cents": subtotal_cents,
            "tax_cents": tax_cents,
            "total_cents": total_cents,
        }
        columns |= self.settlement_columns(invoice, total_cents)
        emailed_at = invoice.record.get("emailed_at")
        # A send the product recorded is kept when the file has none.
        if emailed_at is not None or invoice.stored is None:
            columns["emailed_at"] = datetime.fromisoformat(emailed_at) if emailed_at else None
        return columns

    def settlement_columns(self, invoice: FileInvoice, total_cents: int) -> dict[str, Any]:
        """Status and balance: void, or paid, partial or unpaid from what was paid."""
        if invoice.void:
            columns: dict[str, Any] = {"status": InvoiceStatus.VOID, "balance_cents": 0}
            if invoice.stored is None or invoice.stored["status"] != VOID:
                columns |= {"voided_at": datetime.now(UTC), "void_reason": IMPORTED_VOID_REASON}
            return columns
        paid_cents = self.paid_elsewhere_cents(invoice) + sum(
            file_minor_units(payment["amount"], self.tenant["currency"])
            for payment in invoice.record.get("payments", [])
        )
        return {
            "status": status_for_balance(total_cents - paid_cents, total_cents),
            "balance_cents": total_cents - paid_cents,
        }

    async def write_invoices(self) -> None:
        upsert = Upsert()
        for invoice in self.invoices:
            identity = {
                "tenant_id": self.tenant_id,
                "client_id": invoice.client_id,
                "import_key": invoice.key,
                # History is never emailed automatically.
                "auto_email": False,
            }
            upsert.add(invoice.stored, identity, self.invoice_columns(invoice))
        new_ids = NewIds(
            ("client_id", "import_key"),
            {"tenant_id": self.tenant_id, "import_key__not_isnull": True},
        )
        self.invoice_ids |= await upsert.write(Invoice, self.counts["invoices"], new_ids)

    async def write_lines(self) -> None:
        upsert = Upsert()
        line_counts: dict[int, int] = {}
        for invoice in self.invoices:
            invoice_id = self.invoice_ids[invoice.client_id, invoice.key]
            line_counts[invoice_id] = len(invoice.lines)
            for position, columns in enumerate(invoice.lines):
                identity = {
                    "tenant_id": self.tenant_id,
                    "invoice_id": invoice_id,
                    "position": position,
                }
                upsert.add(self.stored.lines.get((invoice_id, position)), identity, columns)
        surplus = [
            row["id"]
            for (invoice_id, position), row in self.stored.lines.items()
            if position >= line_counts.get(invoice_id, position + 1)
        ]
        for ids in chunks(surplus):
            await InvoiceLine.filter(id__in=ids).delete()
        self.counts["invoice lines"].removed += len(surplus)
        await upsert.write(InvoiceLine, self.counts["invoice lines"])

    async def write_taxes(self) -> None:
        """Each imported invoice's tax breakdown, written anew: one row per rate where its lines
        carry rates, none where they do not."""
        stored_ids = [
            self.invoice_ids[invoice.client_id, invoice.key]
            for invoice in self.invoices
            if invoice.stored is not None
        ]
        for ids in chunks(stored_ids):
            await InvoiceTax.filter(invoice_id__in=ids).delete()
        rows = [
            (
                self.tenant_id,
                self.invoice_ids[invoice.client_id, invoice.key],
                row.category.value,
                row.rate,
                row.taxable,
                row.tax,
                row.exemption_reason,
            )
            for invoice in self.invoices
            if (taxes := imported_taxes(invoice.lines)) is not None
            for row in taxes.rows
        ]
        await insert_rows(connection(), "invoice_taxes", TAX_COLUMNS, rows)

    def file_payments(self) -> Iterator[tuple[FileInvoice, str, dict[str, Any]]]:
        for invoice in self.invoices:
            for position, payment in enumerate(invoice.record.get("payments", [])):
                yield invoice, payment_import_key(invoice.key, position), payment

    async def write_payments(self) -> None:
        upsert = Upsert()
        for invoice, import_key, payment in self.file_payments():
            identity = {
                "tenant_id": self.tenant_id,
                "client_id": invoice.client_id,
                "import_key": import_key,
            }
            stored = self.stored.payments.get((invoice.client_id, import_key))
            upsert.add(stored, identity, payment_columns(payment, self.tenant["currency"]))
        new_ids = NewIds(
            ("client_id", "import_key"),
            {"tenant_id": self.tenant_id, "import_key__not_isnull": True},
        )
        self.payment_ids |= await upsert.write(Payment, self.counts["payments"], new_ids)

    async def write_allocations(self) -> None:
        """Each imported payment is allocated in full to its invoice."""
        stored = {
            (row["payment_id"], row["invoice_id"]): row
            for rows in self.stored.allocations.values()
            for row in rows
        }
        upsert = Upsert()
        for invoice, import_key, payment in self.file_payments():
            identity = {
                "tenant_id": self.tenant_id,
                "payment_id": self.payment_ids[invoice.client_id, import_key],
                "invoice_id": self.invoice_ids[invoice.client_id, invoice.key],
            }
            columns = {"amount_cents": file_minor_units(payment["amount"], self.tenant["currency"])}
            upsert.add(
                stored.get((identity["payment_id"], identity["invoice_id"])), identity, columns
            )
        await upsert.write(PaymentAllocation, self.counts["allocations"])
