"""`ispbox up`: the whole product on one machine with demo data, stopped cleanly by Ctrl-C.

Migrates the database, imports demo data when it is empty, then starts the API (with its
in-process workers and scheduler), the dashboard pointed at it with a demo token, and a local
mail sink for the demo tenants' mailbox.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ispbox.config import get_settings

DEMO_EDITOR_TOKEN = "demo-editor-token-northwind"
DEMO_ANALYST_TOKEN = "demo-analyst-token-northwind"
MAIL_SINK_PORT = 1025


async def prepare_database(clients: int) -> bool:
    """Migrate; import demo data into an empty database. True when demo data was loaded."""
    from billing.demo_data import demo_document
    from billing.importer import import_document
    from orm.db import close_database, migrate_database, open_database
    from orm.models import Tenant

    await migrate_database()
    await open_database()
    try:
        if await Tenant.exists():
            return False
        await import_document(demo_document(clients))
        return True
    finally:
        await close_database()


def run_stack(*, api_port: int, dashboard_port: int, clients: int) -> int:
    os.environ.setdefault("ISPBOX_ENV", "development")
    os.environ.setdefault("ISPBOX_PUBLIC_URL", f"http://127.0.0.1:{api_port}")
    os.environ.setdefault("ISPBOX_DASHBOARD_URL", f"http://127.0.0.1:{dashboard_port}")
    get_settings.cache_clear()
    # Children inherit a default Ctrl-C even where this process was started with it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    loaded = asyncio.run(prepare_database(clients))
    print(f"database ready ({'demo data loaded' if loaded else 'existing data kept'})")

    mail_dir = Path("var") / "mail"
    # aiosmtpd makes the Maildir itself, inside a folder that must exist.
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "ISPBOX_API_URL": f"http://127.0.0.1:{api_port}/graphql",
        "ISPBOX_API_TOKEN": os.environ.get("ISPBOX_API_TOKEN", DEMO_EDITOR_TOKEN),
    }
    cli = [sys.executable, "-m", "ispbox.cli"]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{MAIL_SINK_PORT}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(mail_dir / "demo"),
            ],
            env=env,
        ),
        subprocess.Popen([*cli, "serve", "--port", str(api_port)], env=env),
    ]
    wait_for_api(api_port)
    processes.append(subprocess.Popen([*cli, "dashboard", "--port", str(dashboard_port)], env=env))
    print_welcome(api_port, dashboard_port, mail_dir / "demo")
    return supervise(processes)


def wait_for_api(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the API did not come up on port {port}")


def print_welcome(api_port: int, dashboard_port: int, mail_dir: Path) -> None:
    print(
        "\n"
        f"  Dashboard   http://127.0.0.1:{dashboard_port}\n"
        f"  GraphQL API http://127.0.0.1:{api_port}/graphql\n"
        f"  Demo tokens {DEMO_EDITOR_TOKEN} (billing.view + billing.edit), "
        f"{DEMO_ANALYST_TOKEN} (billing.view)\n"
        f"  Sent email  {mail_dir} (a local mail sink on port {MAIL_SINK_PORT})\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )


def stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def supervise(processes: list[subprocess.Popen[bytes]]) -> int:
    """Wait until Ctrl-C (or SIGTERM) or until one process dies, then stop them all."""
    signal.signal(signal.SIGINT, stop_on_signal)
    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0
