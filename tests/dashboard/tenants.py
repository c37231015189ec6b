"""The tenants of the dashboard's tests, each for one behaviour, made from the demo tenant.

Each is a copy of the demo's Northwind Fiber records (clients, services, charges, history) under
its own key, name and tokens, with the settings its behaviour needs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

DEMO_EDITOR_TOKEN = "demo-editor-token-northwind"
DEMO_ANALYST_TOKEN = "demo-analyst-token-northwind"
DUE_CLIENT_NAME = "Dana Duenow"
ELIGIBLE_CLIENT_STATUSES = ("active", "overdue")


@dataclass(frozen=True)
class LabTenant:
    key: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def editor_token(self) -> str:
        return f"{self.key}-dashboard-editor-token"

    @property
    def analyst_token(self) -> str:
        return f"{self.key}-dashboard-analyst-token"


def cycle_day_away_from_today(today: date) -> int:
    """A billing cycle day (1 to 28) at least ten days from today's, so that no scheduled run
    starts while the tests run."""
    return (today.day + 10) % 28 + 1


BULK_RUN = LabTenant("bulk-lab", "Bulk Lab Fiber")
RUN_HISTORY = LabTenant("history-lab", "History Lab Fiber")
CLIENT_RUN = LabTenant("client-lab", "Client Lab Fiber")
LOCKED = LabTenant(
    "locked-lab",
    "Locked Lab Fiber",
    {"auto_generate": True, "billing_cycle_day": cycle_day_away_from_today(date.today())},
)
REVIEW_DISCARD = LabTenant("discard-lab", "Discard Lab Fiber", {"review_runs": True})
REVIEW_FINALIZE = LabTenant("finalize-lab", "Finalize Lab Fiber", {"review_runs": True})
SETTINGS = LabTenant("settings-lab", "Settings Lab Fiber")
CREDIT_NOTES = LabTenant("credit-lab", "Credit Lab Fiber")
COLLECTIONS = LabTenant("collect-lab", "Collect Lab Fiber")
BANK = LabTenant("bank-lab", "Bank Lab Fiber")
DRY_RUN = LabTenant("dry-run-lab", "Dry Run Lab Fiber")
LAB_TENANTS = (
    BULK_RUN,
    RUN_HISTORY,
    CLIENT_RUN,
    LOCKED,
    REVIEW_DISCARD,
    REVIEW_FINALIZE,
    SETTINGS,
    CREDIT_NOTES,
    COLLECTIONS,
    BANK,
    DRY_RUN,
)


def lab_tenants_document(demo: dict[str, Any], today: date) -> dict[str, Any]:
    """An import document of the test tenants, from the demo document's first tenant."""
    base = demo["tenants"][0]
    tenants = [derived_tenant(base, tenant) for tenant in LAB_TENANTS]
    name_due_client(next(t for t in tenants if t["key"] == CLIENT_RUN.key), today)
    leave_unpaid(next(t for t in tenants if t["key"] == BANK.key))
    return {"tenants": tenants}


def leave_unpaid(tenant: dict[str, Any]) -> None:
    """No payment on any invoice of the tenant's history: bank transfers have open invoices to
    pay and to be suggested for."""
    for client in tenant["clients"]:
        for invoice in client.get("invoices", []):
            if invoice.get("status") != "void":
                invoice["payments"] = []


def derived_tenant(base: dict[str, Any], tenant: LabTenant) -> dict[str, Any]:
    record = copy.deepcopy(base)
    record["key"] = tenant.key
    record["name"] = tenant.name
    record["settings"].update(tenant.settings)
    record["settings"]["invoice_number_prefix"] = f"{tenant.key.split('-')[0].upper()}-"
    record["users"] = [
        {
            "key": "analyst",
            "name": "Avery Analyst",
            "token": tenant.analyst_token,
            "permissions": ["billing.view"],
        },
        {
            "key": "editor",
            "name": "Emery Editor",
            "token": tenant.editor_token,
            "permissions": ["billing.view", "billing.edit", "billing.settings"],
        },
    ]
    return record


def name_due_client(tenant: dict[str, Any], today: date) -> None:
    """Give the first client a run bills today a name of its own, for tests to find it by.
    Due since yesterday: the tenant's today may be a day behind the machine's."""
    for client in tenant["clients"]:
        if is_billable_on(client, today - timedelta(days=1)):
            client["name"] = DUE_CLIENT_NAME
            return
    raise AssertionError("the demo document has no client with a service due today")


def is_billable_on(client: dict[str, Any], day: date) -> bool:
    if client["status"] not in ELIGIBLE_CLIENT_STATUSES or client["blocked"]:
        return False
    return any(
        service["status"] == "active"
        and service["billable"]
        and date.fromisoformat(service["next_bill_date"]) <= day
        for service in client["services"]
    )


def point_mailboxes(document: dict[str, Any], host: str, port: int) -> None:
    """Send every tenant's mail to the test SMTP server."""
    for tenant in document["tenants"]:
        tenant["settings"]["mailbox"].update(host=host, port=port)
