"""The HTTP-level attacks of the hardening review, sent to a real `ispbox serve` on loopback, with
what came back: requests sent, refused (a 4xx, or a GraphQL error in a 200), and 5xx seen.

The server runs in production mode on a scratch SQLite database with the demo data and the
embedded workers. Every attack sends a bounded number of requests; the whole script stops by
itself (about a minute). Not a test: nothing asserts.

    .venv/bin/python -m bench.attacks
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

from bench.processes import ROOT, api_server
from billing.imports.demo_data import DEMO_TOKENS
from billing.invoices.links import make_preview_token

EDITOR = {"Authorization": f"Bearer {DEMO_TOKENS['northwind']['editor']}"}
ANALYST = {"Authorization": f"Bearer {DEMO_TOKENS['northwind']['analyst']}"}
DEMO_TENANT = "northwind"
REQUEST_TIMEOUT = 30.0
KNOWN_DEFAULT_KEY = "change-me-in-production"
COSTLY = """{ invoices(first: 200) { edges { node { id
  run { invoices(first: 200) { edges { node { lines { id } allocations { id } } } } } } } } }"""
SEND = "mutation($id: ID!) { sendInvoice(input: {id: $id}) { errors { code message } } }"
PROGRESS = "subscription($id: ID!) { invoiceRunProgress(runId: $id) { id status } }"
STATUSES = "query($st: [InvoiceStatus!]) { invoices(filter: {statuses: $st}) { totalCount } }"
SMTP_COMMAND = [sys.executable, "-m", "aiosmtpd", "-n"]
SEARCH = "query($s: String) { invoices(filter: {search: $s}) { totalCount } }"


@dataclass
class Outcome:
    """What one attack saw."""

    attack: str
    sent: int = 0
    refused: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    def record(self, status: int, refused: bool) -> None:
        self.sent += 1
        self.statuses[status] += 1
        self.refused += refused or 400 <= status < 500
        self.server_errors += status >= 500

    def row(self) -> str:
        answers = ", ".join(f"{status}×{n}" for status, n in sorted(self.statuses.items()))
        return (
            f"| {self.attack} | {self.sent} | {self.refused} | {self.server_errors} | {answers} |"
        )


def graphql_refused(response: httpx.Response) -> bool:
    """A GraphQL answer that refuses: top-level errors, or a mutation payload's errors."""
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict):
        return False
    if body.get("errors"):
        return True
    data = body.get("data") or {}
    return any(isinstance(v, dict) and v.get("errors") for v in data.values())


class Attacker:
    """Sends from one loopback address of its own, so that one attack's refusals (counted per
    address) do not decide the next attack's answers."""

    def __init__(self, base: str, address: str) -> None:
        transport = httpx.HTTPTransport(local_address=address)
        self.http = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, transport=transport)

    def post(self, outcome: Outcome, *, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
        response = self.http.post("/graphql", headers=headers, **kwargs)
        outcome.record(response.status_code, graphql_refused(response))
        return response

    def close(self) -> None:
        self.http.close()

    def raw(self, outcome: Outcome, body: bytes) -> None:
        headers = {**ANALYST, "Content-Type": "application/json"}
        self.post(outcome, headers=headers, content=body)

    def ask(self, query: str, headers: dict[str, str] = ANALYST, **variables: Any) -> Any:
        response = self.http.post(
            "/graphql", headers=headers, json={"query": query, "variables": variables}
        )
        return response.json()["data"]


def token_guessing(attacker: Attacker, count: int = 300) -> Outcome:
    outcome = Outcome("token guessing (random bearer tokens)")
    for _ in range(count):
        headers = {"Authorization": f"Bearer {secrets.token_urlsafe(24)}"}
        attacker.post(outcome, headers=headers, json={"query": "{ viewer { userName } }"})
    return outcome


def costly_query(attacker: Attacker, count: int = 5) -> Outcome:
    outcome = Outcome("costly query (invoices × run.invoices, first: 200)")
    for _ in range(count):
        attacker.post(outcome, headers=ANALYST, json={"query": COSTLY})
    return outcome


def repeated_sends(attacker: Attacker, invoice_id: str, count: int = 200) -> Outcome:
    outcome = Outcome("the same invoice sent 200 times")
    reasons: Counter[str] = Counter()
    for _ in range(count):
        body = {"query": SEND, "variables": {"id": invoice_id}}
        response = attacker.post(outcome, headers=EDITOR, json=body)
        if response.status_code == 200:
            errors = response.json()["data"]["sendInvoice"]["errors"]
            reasons.update(error["message"] for error in errors)
    print(f"sendInvoice refusals: {dict(reasons)}", file=sys.stderr)
    return outcome


def oversize_search(attacker: Attacker, count: int = 5) -> Outcome:
    outcome = Outcome("50,001-character search")
    for _ in range(count):
        body = {"query": SEARCH, "variables": {"s": "a" * 50_001}}
        attacker.post(outcome, headers=ANALYST, json=body)
    return outcome


def huge_list(attacker: Attacker, count: int = 3) -> Outcome:
    outcome = Outcome("300,000-item `statuses` list")
    body = json.dumps({"query": STATUSES, "variables": {"st": ["PAID"] * 300_000}}).encode()
    for _ in range(count):
        attacker.raw(outcome, body)
    return outcome


def deep_json(attacker: Attacker, count: int = 3) -> Outcome:
    outcome = Outcome("JSON nested 100,000 deep")
    depth = 100_000
    body = b'{"query": "{ viewer { userName } }", "variables": {"v": '
    body += b"[" * depth + b"]" * depth + b"}}"
    for _ in range(count):
        attacker.raw(outcome, body)
    return outcome


def non_utf8(attacker: Attacker) -> Outcome:
    outcome = Outcome("body not UTF-8")
    for body in (b"\xff\xfe{}", b'{"query": "\xc3\x28"}', b"\x80\x81\x82"):
        attacker.raw(outcome, body)
    return outcome


def big_ids(attacker: Attacker) -> Outcome:
    outcome = Outcome("ids beyond 64 bits (GraphQL and preview path)")
    query = "query($id: ID!) { invoice(id: $id) { id } invoiceRun(id: $id) { id } }"
    for big in (str(2**64), "9" * 5000, str(2**63)):
        attacker.post(outcome, headers=ANALYST, json={"query": query, "variables": {"id": big}})
        response = attacker.http.get(f"/invoices/{big}/preview", params={"token": "x"})
        outcome.record(response.status_code, False)
    return outcome


def forged_preview_links(attacker: Attacker, tenant_id: int, invoice_id: int) -> Outcome:
    outcome = Outcome("forged preview links (known default key, far expiry, garbage)")
    forged = [
        make_preview_token(
            tenant_id=tenant_id,
            invoice_id=invoice_id,
            secret=KNOWN_DEFAULT_KEY,
            ttl_seconds=days * 86_400,
        )
        for days in (1, 3650)
    ]
    forged += [secrets.token_urlsafe(32) for _ in range(8)]
    for token in forged:
        response = attacker.http.get(f"/invoices/{invoice_id}/preview", params={"token": token})
        outcome.record(response.status_code, False)
    return outcome


def many_subscriptions(base: str, run_id: str, count: int = 30) -> Outcome:
    """`count` subscriptions of one user to a run in progress, over two sockets."""
    outcome = Outcome(f"{count} subscriptions of one user")
    url = base.replace("http://", "ws://") + "/graphql"
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(
                connect(url, subprotocols=["graphql-transport-ws"], additional_headers=ANALYST)
            )
            for _ in range(2)
        ]
        for ws in sockets:
            ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            ws.recv(timeout=REQUEST_TIMEOUT)
        for n in range(count):
            ws = sockets[n % 2]
            ws.send(
                json.dumps(
                    {
                        "id": str(n),
                        "type": "subscribe",
                        "payload": {"query": PROGRESS, "variables": {"id": run_id}},
                    }
                )
            )
            answer = _answer_to(ws, str(n))
            refused = answer["type"] == "error" or bool(answer.get("payload", {}).get("errors"))
            outcome.record(200, refused)
    return outcome


def _answer_to(ws: Any, op_id: str) -> dict[str, Any]:
    while True:
        message = json.loads(ws.recv(timeout=REQUEST_TIMEOUT))
        if message.get("id") == op_id:
            return message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Targets:
    tenant_id: int
    run_id: int


def prepare_database(env: dict[str, str], directory: Path, smtp_port: int) -> Targets:
    """Migrate, import the demo data (its mailboxes on `smtp_port`), and start a run that stays
    in progress."""
    data = directory / "demo.json"
    for args in (["migrate"], ["demo-data", "--clients", "50", "--out", str(data)]):
        _cli(args, env)
    document = json.loads(data.read_text())
    for tenant in document["tenants"]:
        tenant["settings"]["mailbox"]["port"] = smtp_port
    data.write_text(json.dumps(document))
    _cli(["import", str(data)], env)
    code = (
        "import asyncio, sys\n"
        "from bench.attacks import add_run_in_progress\n"
        "asyncio.run(add_run_in_progress(sys.argv[1]))\n"
    )
    made = subprocess.run(
        [sys.executable, "-c", code, env["ISPBOX_DATABASE_URL"]],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    tenant_id, run_id = made.stdout.split()
    return Targets(int(tenant_id), int(run_id))


async def add_run_in_progress(database_url: str) -> None:
    from billing.runs.lifecycle import RunStatus
    from orm.db import close_database, open_database
    from orm.models import InvoiceRun, Tenant

    await open_database(database_url)
    try:
        tenant = await Tenant.get(key=DEMO_TENANT)
        run = await InvoiceRun.create(
            tenant=tenant, billing_date=date.today(), status=RunStatus.RUNNING, review=False
        )
        print(tenant.id, run.id)
    finally:
        await close_database()


def _cli(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "ispbox.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )


@contextlib.contextmanager
def mail_sink(maildir: Path, port: int) -> Iterator[Path]:
    """aiosmtpd on `port`, keeping what it receives in `maildir` (which it creates)."""
    server = subprocess.Popen(
        [*SMTP_COMMAND, "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield maildir
    finally:
        server.terminate()
        server.wait(timeout=10)


def emails_in(maildir: Path) -> int:
    return len(list((maildir / "new").glob("*"))) if (maildir / "new").exists() else 0


def server_env(database_url: str) -> dict[str, str]:
    import os

    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ISPBOX_DATABASE_URL": database_url,
        "ISPBOX_BROKER_URL": "memory://",
        "ISPBOX_ENV": "production",
        "ISPBOX_SECRET_KEY": secrets.token_urlsafe(48),
    }


def run_attacks(base: str, targets: Targets) -> list[Outcome]:
    addresses = (f"127.0.0.{n}" for n in itertools.count(10))
    setup = Attacker(base, next(addresses))
    page = setup.ask(
        "{ invoices(first: 1, filter: {statuses: [UNPAID]}) { edges { node { id } } } }"
    )
    invoice_id = page["invoices"]["edges"][0]["node"]["id"]
    setup.close()
    attacks: list[Callable[[Attacker], Outcome]] = [
        token_guessing,
        costly_query,
        lambda attacker: repeated_sends(attacker, invoice_id),
        oversize_search,
        huge_list,
        deep_json,
        non_utf8,
        big_ids,
        lambda attacker: forged_preview_links(attacker, targets.tenant_id, int(invoice_id)),
    ]
    outcomes = []
    for attack in attacks:
        attacker = Attacker(base, next(addresses))
        outcomes.append(attack(attacker))
        attacker.close()
    outcomes.append(many_subscriptions(base, str(targets.run_id)))
    return outcomes


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ispbox-attacks-") as scratch:
        directory = Path(scratch)
        env = server_env(f"sqlite://{directory / 'attacks.sqlite3'}")
        smtp_port, port = free_port(), free_port()
        targets = prepare_database(env, directory, smtp_port)
        with (
            mail_sink(directory / "mail", smtp_port) as maildir,
            api_server(env, port, access_log=False),
        ):
            outcomes = run_attacks(f"http://127.0.0.1:{port}", targets)
            emails = emails_in(maildir)
    print("| Attack | Requests sent | Refused (4xx or error) | 5xx seen | Answers |")
    print("|---|---|---|---|---|")
    for outcome in outcomes:
        print(outcome.row())
    seconds = time.monotonic() - started
    print(f"\n{sum(o.sent for o in outcomes)} requests in {seconds:.0f} s; {emails} emails sent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
