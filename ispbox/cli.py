"""The `ispbox` command: set up the database, load data, start the API, workers and dashboard."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ispbox.config import SettingsError, get_settings, settings_problem
from workers.queues import JOB_QUEUES, queue_name

DEMO_FILE = Path("ispbox-demo.json.gz")
# `--format` of import-statement: the names a person types, and the format each stands for.
STATEMENT_FORMATS = {"camt053": "CAMT053", "mt940": "MT940"}
LOCAL_ONLY = "127.0.0.1"
# Viewers get no developer menu (Deploy, Rerun, Clear cache): only the theme choice.
DASHBOARD_TOOLBAR_MODE = "minimal"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.command(args) or 0)
    except (ValidationError, SettingsError) as error:
        # Settings are read where first needed; wrong ones stop the command with one line.
        problem = settings_problem(error) if isinstance(error, ValidationError) else str(error)
        print(f"ispbox: refusing to start: {problem}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ispbox", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.set_defaults(command=cmd_migrate)

    load = commands.add_parser("import", help="import a billing data file (JSON or .json.gz)")
    load.add_argument("file", type=Path)
    load.set_defaults(command=cmd_import)

    statement = commands.add_parser(
        "import-statement",
        help="import a bank statement (CAMT.053 or MT940): payments for the entries naming an "
        "open invoice",
    )
    statement.add_argument("file", type=Path)
    statement.add_argument(
        "--tenant", help="the tenant's key (may be left out where there is only one tenant)"
    )
    statement.add_argument(
        "--format",
        choices=STATEMENT_FORMATS,
        help="the file's format (default: guessed from its content, XML being CAMT.053)",
    )
    statement.set_defaults(command=cmd_import_statement)

    demo = commands.add_parser("demo-data", help="write a realistic demo data file")
    demo.add_argument("--clients", type=int, default=200)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", type=Path, default=DEMO_FILE)
    demo.set_defaults(command=cmd_demo_data)

    serve = commands.add_parser("serve", help="serve the GraphQL API (and, embedded, the workers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes (uvicorn workers); more than one needs a Redis or RabbitMQ broker",
    )
    serve.add_argument("--no-access-log", action="store_true", help="do not log a line per request")
    serve.set_defaults(command=cmd_serve)

    worker = commands.add_parser("worker", help="start worker processes (Redis or RabbitMQ)")
    worker.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    worker.add_argument("--threads", type=int, default=4)
    worker.add_argument(
        "--queues",
        nargs="+",
        choices=JOB_QUEUES,
        help="only these kinds of jobs (default: all), e.g. workers dedicated to runs",
    )
    worker.set_defaults(command=cmd_worker)

    scheduler = commands.add_parser("scheduler", help="start runs on each tenant's cycle day")
    scheduler.set_defaults(command=cmd_scheduler)

    dashboard = commands.add_parser(
        "dashboard",
        help="start the Streamlit dashboard (each visitor signs in with their own API token)",
    )
    dashboard.add_argument(
        "--host",
        default=LOCAL_ONLY,
        help=f"address to listen on [{LOCAL_ONLY}: this machine only; 0.0.0.0 for every interface]",
    )
    dashboard.add_argument("--port", type=int, default=8501, help="port to listen on [8501]")
    dashboard.set_defaults(command=cmd_dashboard)

    up = commands.add_parser(
        "up",
        help="everything on the embedded default: migrate, demo data, API, workers, dashboard",
        description="Run the whole product on this machine in development: migrate the "
        "database, load the demo data into an empty one, then serve the API (with its workers "
        "and scheduler), the dashboard (signed in with the demo editor token) and a local mail "
        "sink. Ctrl-C stops everything.",
    )
    up.add_argument(
        "--host",
        default=LOCAL_ONLY,
        help=f"address the API and the dashboard listen on [{LOCAL_ONLY}: this machine only]",
    )
    up.add_argument("--port", type=int, default=8000, help="the API's port [8000]")
    up.add_argument("--dashboard-port", type=int, default=8501, help="the dashboard's port [8501]")
    up.add_argument(
        "--clients",
        type=int,
        default=200,
        help="clients of the main demo tenant, loaded only into an empty database [200]",
    )
    up.set_defaults(command=cmd_up)
    return parser


def cmd_migrate(args: argparse.Namespace) -> int:
    from orm.db import migrate_database

    applied = asyncio.run(migrate_database(get_settings().database_url))
    print(describe_migrations(applied))
    return 0


def describe_migrations(applied: Sequence[str]) -> str:
    """What `ispbox migrate` did, in words."""
    if not applied:
        return "nothing to apply: the database is up to date"
    return "applied " + ", ".join(applied)


def cmd_import(args: argparse.Namespace) -> int:
    from billing.imports.importer import ImportRejected, import_document, load_import_file

    async def run() -> int:
        from orm.db import close_database, open_database

        settings = get_settings()
        settings.check_ready_to_start()
        warn_about_process_key()
        try:
            document = load_import_file(args.file)
        except ImportRejected as rejected:
            return report_rejection(rejected.problems)
        await open_database(settings.database_url)
        try:
            summary = await import_document(document, signing_key=settings.signing_key)
        except ImportRejected as rejected:
            return report_rejection(rejected.problems)
        finally:
            await close_database()
        print(summary)
        return 0

    return asyncio.run(run())


def cmd_import_statement(args: argparse.Namespace) -> int:
    from billing.bank_statements.importing import (
        guess_format,
        import_bank_statement,
        tenant_by_key,
    )
    from billing.errors import BillingRuleError

    async def run() -> int:
        from orm.db import close_database, open_database

        settings = get_settings()
        settings.check_ready_to_start()
        try:
            content = args.file.read_bytes()
        except OSError as error:
            print(f"ispbox: cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 1
        chosen = STATEMENT_FORMATS[args.format] if args.format else guess_format(content)
        await open_database(settings.database_url)
        try:
            tenant = await tenant_by_key(args.tenant)
            statement = await import_bank_statement(
                tenant=tenant, user_id=None, content=content, statement_format=chosen
            )
        except BillingRuleError as refusal:
            print(f"ispbox: {args.file}: {refusal.message}", file=sys.stderr)
            return 1
        finally:
            await close_database()
        print(
            f"statement {statement.id} ({statement.format.value}, account {statement.account}): "
            f"{statement.matched_count} matched, {statement.unmatched_count} unmatched, "
            f"{statement.duplicate_count} duplicate, {statement.ignored_count} ignored"
        )
        return 0

    return asyncio.run(run())


def report_rejection(problems: Sequence[str]) -> int:
    print(f"import rejected, nothing was written ({len(problems)} problems):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_demo_data(args: argparse.Namespace) -> int:
    from billing.imports.demo_data import write_demo_file

    write_demo_file(args.out, args.clients, args.seed, None)
    print(f"wrote {args.out} ({args.clients} clients)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    settings.check_ready_to_start()
    warn_about_process_key()
    if settings.public_url is None and not settings.is_development:
        print(
            "ispbox: ISPBOX_PUBLIC_URL is not set: links in API answers use the address each "
            f"request came to, links in emails {settings.fallback_public_url}.",
            file=sys.stderr,
        )
    if args.workers > 1 and settings.embedded_broker:
        print(
            "--workers above 1 needs ISPBOX_BROKER_URL=redis://… or amqp://…: the in-process "
            "broker runs the workers inside the one API process.",
            file=sys.stderr,
        )
        return 2
    # An import string, so that each uvicorn worker process builds its own application.
    uvicorn.run(
        "ispbox.server:served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=not args.no_access_log,
    )
    return 0


def warn_about_process_key() -> None:
    """In development without ISPBOX_SECRET_KEY each process makes its own key: say what that
    means for tokens and links made by another process."""
    if get_settings().is_development and not os.environ.get("ISPBOX_SECRET_KEY"):
        print(
            "ispbox: ISPBOX_SECRET_KEY is not set: this process uses a key of its own, so API "
            "tokens imported, preview links signed and mailbox passwords stored by another "
            "process will not work here. Set it to keep them.",
            file=sys.stderr,
        )


def cmd_worker(args: argparse.Namespace) -> int:
    get_settings().check_ready_to_start()
    if get_settings().embedded_broker:
        print(
            "ISPBOX_BROKER_URL is the in-process broker: `ispbox serve` runs the workers itself. "
            "Set it to redis://… or amqp://… to run separate workers.",
            file=sys.stderr,
        )
        return 2
    command = [
        sys.executable,
        "-m",
        "dramatiq",
        # Each worker process reads the settings, makes the broker and declares the actors.
        "workers.process:start_worker_process",
        "--processes",
        str(args.processes),
        "--threads",
        str(args.threads),
    ]
    if args.queues:
        prefix = get_settings().queue_prefix
        command += ["--queues", *(queue_name(name, prefix) for name in args.queues)]
    return become(command)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from orm.db import close_database, open_database
    from workers.process import start_actors

    settings = get_settings()
    settings.check_ready_to_start()
    start_actors(settings)
    # The scheduler queues runs through the actors: imported once they are declared.
    from workers.scheduler import run_scheduler

    async def run() -> None:
        await open_database(settings.database_url)
        try:
            await run_scheduler(settings.scheduler_interval_seconds)
        finally:
            await close_database()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    return become(dashboard_command(host=args.host, port=args.port))


def dashboard_command(*, host: str, port: int) -> list[str]:
    """`streamlit run dashboard/app.py` listening on host:port, without the developer menu."""
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        DASHBOARD_TOOLBAR_MODE,
    ]


def become(command: list[str]) -> int:
    """Replace this process with the command, so signals (Ctrl-C, SIGTERM) reach it directly."""
    os.execv(command[0], command)
    return 0  # not reached


def cmd_up(args: argparse.Namespace) -> int:
    from ispbox.stack import run_stack

    return run_stack(
        host=args.host,
        api_port=args.port,
        dashboard_port=args.dashboard_port,
        clients=args.clients,
    )


if __name__ == "__main__":
    raise SystemExit(main())
