"""`ispbox up`: the whole product on one machine with demo data, stopped cleanly by Ctrl-C.

Migrates the database, imports demo data when it is empty, then starts the API (with its
in-process workers and scheduler), the dashboard pointed at it with a demo token, and a local
mail sink for the demo tenants' mailbox.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from billing.imports.demo_data import DEMO_TOKENS
from ispbox.config import MIN_SECRET_KEY_BYTES, get_settings

DEMO_EDITOR_TOKEN = DEMO_TOKENS["northwind"]["editor"]
DEMO_ANALYST_TOKEN = DEMO_TOKENS["northwind"]["analyst"]
MAIL_SINK_PORT = 1025
# Addresses that mean "every interface": this machine reaches them on the loopback address.
EVERY_INTERFACE = ("0.0.0.0", "::", "")
# The demo's secret key, made on the first start and kept, so that the stored token hashes and
# mailbox passwords stay usable from one start to the next.
KEY_FILE = Path("var") / "secret-key"


async def prepare_database(clients: int) -> bool:
    """Migrate; import demo data into an empty database. True when demo data was loaded."""
    from billing.imports.demo_data import demo_document
    from billing.imports.importer import import_document
    from orm.db import close_database, migrate_database, open_database
    from orm.models import Tenant

    settings = get_settings()
    await migrate_database(settings.database_url)
    await open_database(settings.database_url)
    try:
        if await Tenant.exists():
            return False
        await import_document(demo_document(clients), signing_key=settings.signing_key)
        return True
    finally:
        await close_database()


def kept_secret_key(path: Path = KEY_FILE) -> str:
    """The key in `path`, written there first (readable by the owner only) when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(MIN_SECRET_KEY_BYTES))
    return path.read_text().strip()


def run_stack(*, host: str, api_port: int, dashboard_port: int, clients: int) -> int:
    address = reachable_address(host)
    os.environ.setdefault("ISPBOX_ENV", "development")
    if not os.environ.get("ISPBOX_SECRET_KEY"):
        os.environ["ISPBOX_SECRET_KEY"] = kept_secret_key()
    os.environ.setdefault("ISPBOX_PUBLIC_URL", f"http://{address}:{api_port}")
    os.environ.setdefault("ISPBOX_DASHBOARD_URL", f"http://{address}:{dashboard_port}")
    get_settings.cache_clear()
    get_settings().check_ready_to_start()
    # Children inherit a default Ctrl-C even where this process was started with it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    loaded = asyncio.run(prepare_database(clients))
    print(f"database ready ({'demo data loaded' if loaded else 'existing data kept'})")

    mail_dir = Path("var") / "mail"
    # aiosmtpd makes the Maildir itself, inside a folder that must exist.
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = dashboard_environment(f"http://{address}:{api_port}/graphql")
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
        subprocess.Popen([*cli, "serve", "--host", host, "--port", str(api_port)], env=env),
    ]
    wait_for_api(address, api_port)
    processes.append(
        subprocess.Popen(
            [*cli, "dashboard", "--host", host, "--port", str(dashboard_port)], env=env
        )
    )
    print_welcome(address, api_port, dashboard_port, mail_dir / "demo")
    return supervise(processes)


def reachable_address(host: str) -> str:
    """The address this machine reaches a server listening on `host` at."""
    return "127.0.0.1" if host in EVERY_INTERFACE else host


def dashboard_environment(api_url: str) -> dict[str, str]:
    """The children's environment: the API's address and, in development only, the demo
    editor token as the dashboard's sign-in (unless a token was given)."""
    env = {**os.environ, "ISPBOX_API_URL": api_url}
    if get_settings().is_development:
        env.setdefault("ISPBOX_API_TOKEN", DEMO_EDITOR_TOKEN)
    else:
        env.pop("ISPBOX_API_TOKEN", None)
    return env


class NotHealthy(RuntimeError):
    """A started server that exited, or did not answer its health check in time."""


def wait_until_healthy(
    url: str,
    *,
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
    every: float = 0.2,
) -> None:
    """Return once GET `url` answers 200; raise NotHealthy when `process` exits first or
    `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise NotHealthy(f"exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(every)
    raise NotHealthy(f"{url} did not answer within {timeout:g} s")


def wait_for_api(address: str, port: int, timeout: float = 60) -> None:
    try:
        wait_until_healthy(f"http://{address}:{port}/health", timeout=timeout, every=0.3)
    except NotHealthy:
        raise SystemExit(f"the API did not come up on port {port}") from None


def print_welcome(address: str, api_port: int, dashboard_port: int, mail_dir: Path) -> None:
    print(
        "\n"
        f"  Dashboard   http://{address}:{dashboard_port}\n"
        f"  GraphQL API http://{address}:{api_port}/graphql\n"
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
