"""Demo data: a realistic, deterministic document in the import format.

Two tenants: Northwind Fiber (the main one, with as many clients as asked) and Harbor Wireless
(a dozen clients, to show that tenants see only their own data). The API tokens are fixed so the
demo can be driven at once:

    northwind  demo-analyst-token-northwind (billing.view)
               demo-editor-token-northwind (billing.view, billing.edit)
    harbor     demo-analyst-token-harbor (billing.view)
               demo-editor-token-harbor (billing.view, billing.edit)

The same arguments always give the same document. The first clients of each tenant show one
notable case each (a service anchored on the 31st, a blocked client, a partial payment, a void
invoice…), so every case is present whatever the seed; the rest are drawn at random.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from billing.invoices.numbering import invoice_number
from billing.money import CENT
from billing.periods import MONTHS_IN_PERIOD, ServicePeriod, add_months

DEMO_TOKENS = {
    "northwind": {
        "analyst": "demo-analyst-token-northwind",
        "editor": "demo-editor-token-northwind",
    },
    "harbor": {"analyst": "demo-analyst-token-harbor", "editor": "demo-editor-token-harbor"},
}
SECOND_TENANT_CLIENTS = 12

FIRST_NAMES = (
    *("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda"),
    *("David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica"),
    *("Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Wei", "Priya"),
    *("Ahmed", "Fatima", "Hiroshi", "Olga", "Kevin", "Amanda", "Brian", "Melissa"),
)
LAST_NAMES = (
    *("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis"),
    *("Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson"),
    *("Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White"),
    *("Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Rivera"),
)
BUSINESS_NAMES = (
    "Bakery",
    "Dental",
    "Hardware",
    "Diner",
    "Auto Repair",
    "Florist",
    "Law Office",
    "Pharmacy",
    "Gym",
    "Print Shop",
)

# Monthly list prices.
PLANS = (
    ("Fiber 100", "39.99"),
    ("Fiber 500", "59.99"),
    ("Fiber 1000", "79.99"),
    ("Business Fiber 1G", "149.00"),
)
ADD_ONS = (
    ("Static IP", "5.00"),
    ("Wi-Fi Mesh Rental", "9.99"),
    ("VoIP Line", "14.95"),
    ("TV Basic", "24.50"),
)
ONE_TIME_CHARGES = (
    ("Router", "89.00"),
    ("Installation fee", "49.00"),
    ("Late fee", "10.00"),
    ("Technician visit", "75.00"),
    ("Cable extension", "19.50"),
)
PERIOD_WEIGHTS = {
    ServicePeriod.MONTHLY: 70,
    ServicePeriod.QUARTERLY: 12,
    ServicePeriod.SEMIANNUAL: 8,
    ServicePeriod.ANNUAL: 10,
}
# Longer periods are paid ahead at a discount.
PERIOD_DISCOUNT = {
    ServicePeriod.MONTHLY: Decimal("1"),
    ServicePeriod.QUARTERLY: Decimal("0.98"),
    ServicePeriod.SEMIANNUAL: Decimal("0.96"),
    ServicePeriod.ANNUAL: Decimal("0.92"),
}
PAYMENT_METHODS = ("card", "card", "bank_transfer", "cash", "check")


@dataclass(frozen=True, slots=True)
class TenantProfile:
    key: str
    name: str
    currency: str
    timezone: str
    client_key_prefix: str
    number_prefix: str
    email_domain: str
    billing_cycle_day: int | None
    auto_email: bool
    # The seller as printed on documents; the tax numbers are EU VAT numbers with valid check
    # digits, so Settings → Invoices accepts them as they are.
    legal_name: str
    address: str
    tax_id: str
    payment_instructions: str


NORTHWIND = TenantProfile(
    key="northwind",
    name="Northwind Fiber",
    currency="USD",
    timezone="America/New_York",
    client_key_prefix="nw-",
    number_prefix="NW-",
    email_domain="northwind.example",
    billing_cycle_day=None,
    auto_email=True,
    legal_name="Northwind Fiber Inc.",
    address="350 Fifth Avenue\nNew York, NY 10118\nUnited States",
    tax_id="DE136695976",
    payment_instructions=(
        "Bank transfer to Northwind Fiber Inc., IBAN DE89 3704 0044 0532 0130 00, "
        "BIC COBADEFFXXX.\nPlease quote the invoice number."
    ),
)
HARBOR = TenantProfile(
    key="harbor",
    name="Harbor Wireless",
    currency="CAD",
    timezone="America/Vancouver",
    client_key_prefix="hw-",
    number_prefix="HW-",
    email_domain="harbor.example",
    billing_cycle_day=15,
    auto_email=False,
    legal_name="Harbor Wireless Ltd.",
    address="1055 West Georgia Street\nVancouver, BC V6E 3P3\nCanada",
    tax_id="FR40303265045",
    payment_instructions=(
        "Interac e-Transfer to billing@harbor.example, or a cheque payable to Harbor Wireless "
        "Ltd.\nPlease quote the invoice number."
    ),
)


@dataclass(frozen=True, slots=True)
class ClientTraits:
    """What is notable about a demo client; drawn at random or fixed for a featured client."""

    status: str = "active"
    blocked: bool = False
    has_email: bool = True
    services: int = 1
    high_anchor: bool = False  # the first service is anchored on the 29th to 31st
    periods_behind: int = 0  # how far the first service's schedule lags behind today
    history: str | None = None  # "paid", "partial", "unpaid", "void" or None
    charge: str | None = None  # "due", "future", "cancelled" or None


# One featured client per notable case, so each case is in every demo document.
FEATURED_CLIENTS = (
    ClientTraits(high_anchor=True, history="paid"),
    ClientTraits(blocked=True, history="unpaid"),
    ClientTraits(history="partial", services=2),
    ClientTraits(history="void"),
    ClientTraits(has_email=False, charge="due"),
    ClientTraits(periods_behind=3, status="overdue", history="unpaid"),
    ClientTraits(charge="future", services=3),
    ClientTraits(status="suspended"),
    ClientTraits(status="inactive", history="paid"),
    ClientTraits(high_anchor=True, periods_behind=1),
)


def demo_document(clients: int = 200, *, seed: int = 7, today: date | None = None) -> dict:
    """A valid import document: Northwind Fiber with `clients` clients and a small second
    tenant, the same for the same arguments (today defaults to the current date)."""
    today = today or date.today()
    rng = random.Random(seed)
    return {
        "tenants": [
            tenant_record(NORTHWIND, clients, rng, today),
            tenant_record(HARBOR, min(clients, SECOND_TENANT_CLIENTS), rng, today),
        ]
    }


def write_demo_file(
    path: Path | str, clients: int = 200, seed: int = 7, today: date | None = None
) -> None:
    """Writes demo_document(...) as JSON, gzip-compressed when the name ends in `.gz`."""
    path = Path(path)
    text = json.dumps(demo_document(clients, seed=seed, today=today), separators=(",", ":"))
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=5) as stream:
            stream.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def tenant_record(profile: TenantProfile, clients: int, rng: random.Random, today: date) -> dict:
    tokens = DEMO_TOKENS[profile.key]
    numbers = InvoiceNumbers(profile.number_prefix)
    return {
        "key": profile.key,
        "name": profile.name,
        "currency": profile.currency,
        "timezone": profile.timezone,
        "legal_name": profile.legal_name,
        "address": profile.address,
        "tax_id": profile.tax_id,
        "settings": {
            "payment_terms_days": 14,
            "grace_period_days": 7,
            "billing_cycle_day": profile.billing_cycle_day,
            "auto_generate": False,
            "auto_email": profile.auto_email,
            "auto_charge": False,
            "review_runs": False,
            "invoice_number_prefix": profile.number_prefix,
            "payment_instructions": profile.payment_instructions,
            "mailbox": {
                "host": "127.0.0.1",
                "port": 1025,
                "username": None,
                "password": None,
                "starttls": False,
                "from_address": f"billing@{profile.email_domain}",
            },
        },
        "users": [
            user_record("analyst", "Avery Analyst", tokens["analyst"], ["billing.view"]),
            user_record(
                "editor",
                "Emery Editor",
                tokens["editor"],
                ["billing.view", "billing.edit", "billing.settings"],
            ),
        ],
        "clients": [
            client_record(profile, index, client_traits(index, rng), rng, today, numbers)
            for index in range(clients)
        ],
    }


def user_record(key: str, name: str, token: str, permissions: list[str]) -> dict:
    return {"key": key, "name": name, "token": token, "permissions": permissions}


def client_traits(index: int, rng: random.Random) -> ClientTraits:
    if index < len(FEATURED_CLIENTS):
        return FEATURED_CLIENTS[index]
    status = rng.choices(("active", "overdue", "suspended", "inactive"), (82, 9, 4, 5))[0]
    history = rng.choices(("paid", "partial", "unpaid", None), (30, 5, 7, 58))[0]
    if status == "overdue":
        history = rng.choice(("unpaid", "partial"))
    elif rng.random() < 0.003:
        history = "void"
    charge = rng.choices(("due", "future", "cancelled", None), (8, 4, 1, 87))[0]
    return ClientTraits(
        status=status,
        blocked=rng.random() < 0.02,
        has_email=rng.random() >= 0.03,
        services=rng.choices((1, 2, 3), (55, 32, 13))[0],
        high_anchor=rng.random() < 0.04,
        periods_behind=rng.choice((1, 2, 3, 4)) if rng.random() < 0.05 else 0,
        history=history,
        charge=charge,
    )


def client_record(
    profile: TenantProfile,
    index: int,
    traits: ClientTraits,
    rng: random.Random,
    today: date,
    numbers: InvoiceNumbers,
) -> dict:
    key = f"{profile.client_key_prefix}{index + 1:06d}"
    name = client_name(rng)
    services = [
        service_record(f"{key}-s{n + 1}", n, traits, rng, today) for n in range(traits.services)
    ]
    return {
        "key": key,
        "name": name,
        "email": email_address(name, index) if traits.has_email else None,
        "status": traits.status,
        "blocked": traits.blocked,
        "stripe_customer_id": None,
        "stripe_payment_method_id": None,
        "services": services,
        "charges": charge_records(key, traits, rng, today),
        "invoices": history_invoices(services[0], traits, rng, today, numbers),
    }


def client_name(rng: random.Random) -> str:
    last = rng.choice(LAST_NAMES)
    if rng.random() < 0.08:
        return f"{last} {rng.choice(BUSINESS_NAMES)}"
    return f"{rng.choice(FIRST_NAMES)} {last}"


def email_address(name: str, index: int) -> str:
    local = ".".join(part.lower() for part in name.split())
    return f"{local}.{index + 1}@example.com"


def service_record(
    key: str, position: int, traits: ClientTraits, rng: random.Random, today: date
) -> dict:
    """A plan (the first service) or an add-on, with its schedule around today."""
    first = position == 0
    description, monthly_price = rng.choice(PLANS if first else ADD_ONS)
    period = rng.choices(tuple(PERIOD_WEIGHTS), tuple(PERIOD_WEIGHTS.values()))[0]
    anchor = service_anchor(first and traits.high_anchor, rng)
    behind = traits.periods_behind if first else 0
    next_bill_date = schedule_date(anchor, period, behind, rng, today)
    quantity = rng.choice(("1", "1", "2", "4")) if description == "Static IP" else "1"
    return {
        "key": key,
        "description": description,
        "price": period_price(monthly_price, period),
        "quantity": quantity,
        "period": period.value,
        "next_bill_date": next_bill_date.isoformat(),
        "status": service_status(traits.status, rng),
        "billable": rng.random() >= 0.03,
        "auto_email": rng.choices((None, True, False), (86, 7, 7))[0],
    }


def service_anchor(high: bool, rng: random.Random) -> int:
    if high:
        return rng.choice((29, 30, 31))
    return 1 if rng.random() < 0.6 else rng.randint(2, 28)


def schedule_date(
    anchor: int, period: ServicePeriod, periods_behind: int, rng: random.Random, today: date
) -> date:
    """The first day of the next period to bill: the coming one for a service billed up to
    date, the current one for one due now, or earlier ones for a schedule running behind.
    A service anchored on the 29th to 31st gets a date in a month that has its day."""
    months = MONTHS_IN_PERIOD[period]
    current = add_months(today, 0, anchor)
    if current > today:
        current = add_months(today, -1, anchor)
    current = add_months(current, -rng.randrange(months), anchor)
    if periods_behind:
        start = add_months(current, -periods_behind * months, anchor)
    else:
        start = add_months(current, months, anchor) if rng.random() < 0.75 else current
    while start.day != anchor:
        start = add_months(start, 1, anchor)
    return start


def period_price(monthly_price: str, period: ServicePeriod) -> str:
    price = Decimal(monthly_price) * MONTHS_IN_PERIOD[period] * PERIOD_DISCOUNT[period]
    return str(price.quantize(CENT))


def service_status(client_status: str, rng: random.Random) -> str:
    if client_status == "inactive":
        return "cancelled"
    if client_status == "suspended":
        return "suspended"
    return rng.choices(("active", "suspended", "cancelled"), (92, 3, 5))[0]


def charge_records(key: str, traits: ClientTraits, rng: random.Random, today: date) -> list:
    if traits.charge is None:
        return []
    description, amount = rng.choice(ONE_TIME_CHARGES)
    if traits.charge == "future":
        scheduled_on, status = today + timedelta(days=rng.randint(1, 45)), "pending"
    else:
        scheduled_on = today - timedelta(days=rng.randint(0, 20))
        status = "cancelled" if traits.charge == "cancelled" else "pending"
    return [
        {
            "key": f"{key}-ch1",
            "description": description,
            "amount": amount,
            "scheduled_on": scheduled_on.isoformat(),
            "status": status,
        }
    ]


class InvoiceNumbers:
    """Numbers of the history invoices, in the tenant's own format."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.last = 0

    def next(self) -> str:
        self.last += 1
        return invoice_number(self.prefix, self.last)


def history_invoices(
    service: dict,
    traits: ClientTraits,
    rng: random.Random,
    today: date,
    numbers: InvoiceNumbers,
) -> list:
    """Invoices from before the import for the service's last periods: the latest settled as
    the traits say, older ones paid; a void invoice is followed by its paid replacement."""
    if traits.history is None:
        return []
    periods = previous_periods(service, 2 if rng.random() < 0.3 else 1)
    invoices = [
        history_invoice(f"h{n + 1}", service, start, end, "paid", rng, today, numbers)
        for n, (start, end) in enumerate(periods[1:])
    ]
    start, end = periods[0]
    latest = history_invoice(
        f"h{len(periods)}", service, start, end, traits.history, rng, today, numbers
    )
    invoices.append(latest)
    if traits.history == "void":
        replacement = history_invoice(
            f"h{len(periods) + 1}", service, start, end, "paid", rng, today, numbers
        )
        invoices.append(replacement)
    return invoices


def previous_periods(service: dict, count: int) -> list[tuple[date, date]]:
    """The service's periods just before its next bill date, latest first."""
    period = ServicePeriod(service["period"])
    next_start = date.fromisoformat(service["next_bill_date"])
    anchor = next_start.day
    periods = []
    for _ in range(count):
        start = add_months(next_start, -MONTHS_IN_PERIOD[period], anchor)
        periods.append((start, next_start - timedelta(days=1)))
        next_start = start
    return periods


def history_invoice(
    key: str,
    service: dict,
    start: date,
    end: date,
    settlement: str,
    rng: random.Random,
    today: date,
    numbers: InvoiceNumbers,
) -> dict:
    issued_on = min(start, today)
    amount = line_amount(service)
    lines = [
        {
            "description": f"{service['description']}, {start.isoformat()} to {end.isoformat()}",
            "amount": str(amount),
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "service": service["key"],
        }
    ]
    if rng.random() < 0.1:
        fee_description, fee = rng.choice(ONE_TIME_CHARGES)
        lines.append({"description": fee_description, "amount": fee, "service": None})
        amount += Decimal(fee)
    return {
        "key": key,
        "number": numbers.next(),
        "issued_on": issued_on.isoformat(),
        "lines": lines,
        "payments": history_payments(amount, settlement, issued_on, rng, today),
        "status": "void" if settlement == "void" else None,
        "emailed_at": f"{issued_on.isoformat()}T14:05:00+00:00" if rng.random() < 0.8 else None,
    }


def line_amount(service: dict) -> Decimal:
    return (Decimal(service["price"]) * Decimal(service["quantity"])).quantize(CENT)


def history_payments(
    total: Decimal, settlement: str, issued_on: date, rng: random.Random, today: date
) -> list:
    if settlement in ("unpaid", "void"):
        return []
    if settlement == "partial":
        share = Decimal(rng.randint(20, 80)) / 100
        amounts = [max(CENT, (total * share).quantize(CENT, rounding=ROUND_DOWN))]
    elif total > 20 and rng.random() < 0.15:
        first = (total / 2).quantize(CENT, rounding=ROUND_DOWN)
        amounts = [first, total - first]
    else:
        amounts = [total]
    paid_on = issued_on
    payments = []
    for amount in amounts:
        paid_on = min(today, paid_on + timedelta(days=rng.randint(0, 12)))
        payments.append(
            {
                "amount": str(amount),
                "paid_on": paid_on.isoformat(),
                "method": rng.choice(PAYMENT_METHODS),
            }
        )
    return payments
