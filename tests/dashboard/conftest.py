"""A real API for the dashboard's tests, and the dashboard opened against it in AppTest.

The API is `ispbox serve` in a subprocess on a migrated SQLite database holding the demo data
(`ispbox demo-data`) and the lab tenants of `tests/dashboard/tenants.py`, all imported with
`ispbox import`; its mail goes to the test SMTP server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from ispbox.stack import NotHealthy, wait_until_healthy
from tests.dashboard.tenants import lab_tenants_document, point_mailboxes
from tests.support.services import free_port
from tests.support.smtp import MaildirSmtpServer, stop_process

DASHBOARD_APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
DEMO_CLIENTS = 40
STARTUP_SECONDS = 60.0
# A page that follows a run waits for the workers; this bounds one script run of AppTest.
SCRIPT_RUN_SECONDS = 60.0


@dataclass(frozen=True)
class RunningApi:
    """The API process under test and a plain GraphQL call to check what pages show."""

    base_url: str
    workdir: Path

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def graphql(
        self, token: str, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        response = httpx.post(
            self.graphql_url,
            json={"query": query, "variables": dict(variables or {})},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


def api_environment(database: Path, port: int) -> dict[str, str]:
    """The environment of every `ispbox` command: this test database and no outside settings."""
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("ISPBOX_")
    }
    environment.update(
        ISPBOX_DATABASE_URL=f"sqlite://{database}",
        ISPBOX_ENV="development",
        ISPBOX_BROKER_URL="memory://",
        ISPBOX_SECRET_KEY="dashboard-tests-secret",
        ISPBOX_PUBLIC_URL=f"http://127.0.0.1:{port}",
        ISPBOX_DASHBOARD_URL="http://127.0.0.1:8501",
        # Every test reaches the API from 127.0.0.1, and some send refused tokens on purpose:
        # the refused-credentials limit (tested on its own) must not hold up the next test.
        ISPBOX_RATE_LIMIT_FAILED_AUTH="1000/second",
    )
    return environment


def ispbox(*arguments: str, environment: dict[str, str], cwd: Path) -> None:
    """Run an `ispbox` command to completion; fail the session with its output if it fails."""
    completed = subprocess.run(
        [sys.executable, "-m", "ispbox.cli", *arguments],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0:
        pytest.fail(f"ispbox {' '.join(arguments)} failed:\n{completed.stdout}\n{completed.stderr}")


def prepare_data(workdir: Path, environment: dict[str, str], smtp: MaildirSmtpServer) -> None:
    """Migrate, then import the demo file and the lab tenants' file."""
    ispbox("migrate", environment=environment, cwd=workdir)
    demo_file = workdir / "demo.json"
    ispbox(
        "demo-data",
        "--clients",
        str(DEMO_CLIENTS),
        "--out",
        str(demo_file),
        environment=environment,
        cwd=workdir,
    )
    demo = json.loads(demo_file.read_text())
    point_mailboxes(demo, smtp.host, smtp.port)
    demo_file.write_text(json.dumps(demo))
    lab_file = workdir / "lab-tenants.json"
    lab = lab_tenants_document(demo, date.today())
    lab_file.write_text(json.dumps(lab))
    ispbox("import", str(demo_file), environment=environment, cwd=workdir)
    ispbox("import", str(lab_file), environment=environment, cwd=workdir)


def wait_for_health(
    process: subprocess.Popen[bytes], health_url: str, log: Path, name: str
) -> None:
    """Returns once `health_url` answers 200; fails the test, with the log, where the process
    named `name` exits or stays silent for STARTUP_SECONDS."""
    try:
        wait_until_healthy(health_url, timeout=STARTUP_SECONDS, process=process, every=0.1)
    except NotHealthy as reason:
        stop_process(process)
        pytest.fail(f"{name} {reason}:\n{log.read_text()}")


@pytest.fixture(scope="session")
def api_server(
    tmp_path_factory: pytest.TempPathFactory, smtp_server_process: MaildirSmtpServer
) -> Iterator[RunningApi]:
    workdir = tmp_path_factory.mktemp("dashboard-api")
    port = free_port()
    environment = api_environment(workdir / "db.sqlite3", port)
    prepare_data(workdir, environment, smtp_server_process)
    log = workdir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ispbox.cli", "serve", "--port", str(port)],
            env=environment,
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(process, f"{base_url}/health", log, "ispbox serve")
        yield RunningApi(base_url=base_url, workdir=workdir)
    finally:
        stop_process(process)


OpenDashboard = Callable[..., AppTest]


@pytest.fixture
def open_dashboard(api_server: RunningApi, monkeypatch: pytest.MonkeyPatch) -> OpenDashboard:
    """Opens the dashboard in AppTest as the holder of `token`, on `page` (a path relative to
    dashboard/, e.g. "pages/bulk_run.py"), with `query` in the address."""

    def open_page(
        token: str | None,
        page: str | None = None,
        *,
        query: Mapping[str, str] | None = None,
        api_url: str | None = None,
    ) -> AppTest:
        monkeypatch.setenv("ISPBOX_API_URL", api_url or api_server.graphql_url)
        if token is None:
            monkeypatch.delenv("ISPBOX_API_TOKEN", raising=False)
        else:
            monkeypatch.setenv("ISPBOX_API_TOKEN", token)
        app = AppTest.from_file(str(DASHBOARD_APP), default_timeout=SCRIPT_RUN_SECONDS)
        for name, value in (query or {}).items():
            app.query_params[name] = value
        app.run()
        if page is not None:
            app.switch_page(page).run()
        return app

    return open_page
