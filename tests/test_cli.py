"""The `ispbox` command line as a person uses it, on a fresh SQLite file."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from billing.imports.demo_data import DEMO_TOKENS, HARBOR, NORTHWIND
from ispbox import cli
from ispbox.cli import build_parser
from ispbox.config import get_settings
from ispbox.stack import DEMO_EDITOR_TOKEN, dashboard_environment, kept_secret_key

REPOSITORY = Path(__file__).resolve().parents[1]
MIGRATIONS = REPOSITORY / "orm" / "migrations"


def ispbox(
    *args: str, database: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ISPBOX_DATABASE_URL": f"sqlite://{database}", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ispbox.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "ispbox.sqlite3"
    result = ispbox("migrate", database=path)
    assert result.returncode == 0, result.stderr
    return path


def test_migrate_twice_is_harmless(database: Path) -> None:
    assert ispbox("migrate", database=database).returncode == 0
    assert count(database, "invoices") == 0


def test_migrate_names_the_migrations_it_applied(tmp_path: Path) -> None:
    shipped = sorted(path.stem for path in MIGRATIONS.glob("[0-9]*.py"))

    first = ispbox("migrate", database=tmp_path / "fresh.sqlite3")

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "applied " + ", ".join(shipped)


def test_migrate_says_when_there_is_nothing_to_apply(database: Path) -> None:
    again = ispbox("migrate", database=database)

    assert again.stdout.strip() == "nothing to apply: the database is up to date"


def test_up_help_describes_every_option() -> None:
    parser = build_parser()
    up = next(
        choice
        for action in parser._subparsers._group_actions
        for name, choice in action.choices.items()
        if name == "up"
    )

    described = {
        option.option_strings[0]: option.help for option in up._actions if option.option_strings
    }

    assert set(described) == {"-h", "--host", "--port", "--dashboard-port", "--clients"}
    assert all(described.values()), described


def test_dashboard_listens_on_this_machine_only_without_the_developer_menu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = start_dashboard(monkeypatch)

    assert option(started, "--server.address") == "127.0.0.1"
    assert option(started, "--client.toolbarMode") == "minimal"


def test_dashboard_host_opens_it_to_another_address(monkeypatch: pytest.MonkeyPatch) -> None:
    started = start_dashboard(monkeypatch, "--host", "0.0.0.0", "--port", "9501")

    assert option(started, "--server.address") == "0.0.0.0"
    assert option(started, "--server.port") == "9501"


def start_dashboard(monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    """The command `ispbox dashboard` would become."""
    started: list[list[str]] = []
    monkeypatch.setattr(cli, "become", lambda command: started.append(command) or 0)
    assert cli.main(["dashboard", *args]) == 0
    return started[0]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


@pytest.mark.parametrize(
    ("environment", "token"), [("development", DEMO_EDITOR_TOKEN), ("production", None)]
)
def test_up_signs_the_dashboard_in_with_the_demo_token_in_development_only(
    monkeypatch: pytest.MonkeyPatch, environment: str, token: str | None
) -> None:
    monkeypatch.setenv("ISPBOX_ENV", environment)
    monkeypatch.setenv("ISPBOX_API_TOKEN", "someone-elses-editor-token-000")
    if environment == "development":
        monkeypatch.delenv("ISPBOX_API_TOKEN")
    get_settings.cache_clear()
    try:
        env = dashboard_environment("http://127.0.0.1:8000/graphql")
    finally:
        get_settings.cache_clear()

    assert env.get("ISPBOX_API_TOKEN") == token
    assert env["ISPBOX_API_URL"] == "http://127.0.0.1:8000/graphql"


def test_demo_data_imports_and_a_second_import_changes_nothing(
    database: Path, tmp_path: Path
) -> None:
    demo = tmp_path / "demo.json.gz"
    assert (
        ispbox("demo-data", "--clients", "30", "--out", str(demo), database=database).returncode
        == 0
    )

    first = ispbox("import", str(demo), database=database)
    clients, invoices = count(database, "clients"), count(database, "invoices")
    second = ispbox("import", str(demo), database=database)

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert clients >= 30 and invoices > 0
    assert (count(database, "clients"), count(database, "invoices")) == (clients, invoices)


def test_a_bad_file_is_rejected_whole_with_every_problem_listed(
    database: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "tenants": [
                    {
                        "key": "acme",
                        "name": "Acme",
                        "currency": "USD",
                        "timezone": "UTC",
                        "settings": {
                            "payment_terms_days": 14,
                            "grace_period_days": 7,
                            "billing_cycle_day": None,
                            "auto_generate": False,
                            "auto_email": False,
                            "auto_charge": False,
                            "invoice_number_prefix": "INV-",
                            "mailbox": None,
                        },
                        "users": [],
                        "clients": [
                            {
                                "key": "c-1",
                                "name": "Jane",
                                "email": None,
                                "status": "active",
                                "blocked": False,
                                "stripe_customer_id": None,
                                "stripe_payment_method_id": None,
                                "services": [
                                    {
                                        "key": "s-1",
                                        "description": "Fiber",
                                        "price": "-1",
                                        "quantity": "1",
                                        "period": "monthly",
                                        "next_bill_date": "2026-11-01",
                                        "status": "active",
                                        "billable": True,
                                        "auto_email": None,
                                    }
                                ],
                                "charges": [],
                                "colour": "blue",
                            },
                        ],
                    }
                ]
            }
        )
    )

    result = ispbox("import", str(bad), database=database)

    assert result.returncode == 1
    assert "tenants[0].clients[0].services[0].price" in result.stderr
    assert "tenants[0].clients[0].colour" in result.stderr
    assert count(database, "tenants") == 0


def test_a_deeply_nested_file_is_refused_with_a_message_not_a_traceback(
    database: Path, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"tenants": ' + "[" * 100_000 + "]" * 100_000 + "}")

    result = ispbox("import", str(deep), database=database)

    assert result.returncode == 1
    assert f"{deep}: nested too deeply to read" in result.stderr
    assert "Traceback" not in result.stderr


SERVE = ("serve", "--port", "0")
WORKER = ("worker",)
UP = ("up", "--port", "0", "--dashboard-port", "0")


@pytest.mark.parametrize(
    ("command", "key", "reason"),
    [
        (SERVE, "", "not set"),
        (SERVE, "short-key", "too short (9 bytes"),
        (WORKER, "", "not set"),
        (WORKER, "change-me-in-production", "placeholder"),
        # Without a key the demo makes one and keeps it; a short one given is refused.
        (UP, "short-key", "too short (9 bytes"),
    ],
)
def test_production_refuses_to_start_without_a_usable_secret_key(
    database: Path, tmp_path: Path, command: tuple[str, ...], key: str, reason: str
) -> None:
    env = {
        "ISPBOX_ENV": "production",
        "ISPBOX_SECRET_KEY": key,
        "ISPBOX_BROKER_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "ispbox.cli", *command],
        env={**os.environ, "ISPBOX_DATABASE_URL": f"sqlite://{database}", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("ispbox: refusing to start: ISPBOX_SECRET_KEY is")
    assert reason in line


def test_serve_warns_when_production_has_no_public_url(database: Path) -> None:
    env = {"ISPBOX_ENV": "production", "ISPBOX_SECRET_KEY": "k" * 32, "ISPBOX_PUBLIC_URL": ""}
    # Two API processes on the in-process broker are refused after the start-up checks.
    result = ispbox("serve", "--workers", "2", database=database, env=env)

    assert result.returncode == 2
    assert result.stderr.count("ISPBOX_PUBLIC_URL is not set") == 1


def test_the_demo_keeps_the_secret_key_it_made(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret-key"

    first = kept_secret_key(path)

    assert len(first.encode()) >= 32
    assert kept_secret_key(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_readme_names_every_demo_tenant_and_token() -> None:
    readme = (REPOSITORY / "README.md").read_text()
    demo_table = readme[readme.index("## Demo tenants and tokens") :]

    assert NORTHWIND.name in demo_table and HARBOR.name in demo_table
    for tokens in DEMO_TOKENS.values():
        for token in tokens.values():
            assert f"`{token}`" in demo_table
