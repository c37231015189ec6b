"""Importing a module starts nothing: no broker, no actor, no connection; and the billing rules
and the ORM read no settings (the processes' edges read them and pass them in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, socket, sys
opened = []
real_connect = socket.socket.connect
def noted_connect(self, address):
    opened.append(str(address))
    return real_connect(self, address)
socket.socket.connect = noted_connect
for name in sys.argv[1:]:
    __import__(name)
import dramatiq.broker
print(json.dumps({
    "broker": repr(dramatiq.broker.global_broker),
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("ispbox", "workers")),
    "connections": opened,
}))
"""


def import_in_fresh_interpreter(*modules: str) -> dict[str, object]:
    """What importing `modules` in a new Python process left behind."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ISPBOX_BROKER_URL": "redis://127.0.0.1:6379/15"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_importing_the_api_builds_no_broker_declares_no_actor_and_opens_no_connection() -> None:
    loaded = import_in_fresh_interpreter("graph.app", "graph.schema")

    assert loaded["broker"] == "None"
    assert not {"workers.actors", "workers.runs", "workers.delivery"} & set(loaded["modules"])
    assert loaded["connections"] == []


def test_the_billing_rules_and_the_orm_load_no_settings() -> None:
    loaded = import_in_fresh_interpreter(
        "orm.db",
        "orm.models",
        "billing.delivery.email",
        "billing.imports.importer",
        "billing.invoices.listing",
        "billing.runs.engine",
    )

    assert loaded["modules"] == []
    assert loaded["broker"] == "None"
