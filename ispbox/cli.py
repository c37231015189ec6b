"""The `ispbox` command: set up the database, load data, start the API, workers and dashboard."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ispbox.config import get_settings

DEMO_FILE = Path("ispbox-demo.json.gz")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.command(args) or 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ispbox", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.set_defaults(command=cmd_migrate)

    load = commands.add_parser("import", help="import a billing data file (JSON or .json.gz)")
    load.add_argument("file", type=Path)
    load.set_defaults(command=cmd_import)

    demo = commands.add_parser("demo-data", help="write a realistic demo data file")
    demo.add_argument("--clients", type=int, default=200)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", type=Path, default=DEMO_FILE)
    demo.set_defaults(command=cmd_demo_data)

    serve = commands.add_parser("serve", help="serve the GraphQL API (and, embedded, the workers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(command=cmd_serve)

    worker = commands.add_parser("worker", help="start worker processes (Redis or RabbitMQ)")
    worker.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    worker.add_argument("--threads", type=int, default=4)
    worker.set_defaults(command=cmd_worker)

    scheduler = commands.add_parser("scheduler", help="start runs on each tenant's cycle day")
    scheduler.set_defaults(command=cmd_scheduler)

    dashboard = commands.add_parser("dashboard", help="start the Streamlit dashboard")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.set_defaults(command=cmd_dashboard)

    up = commands.add_parser(
        "up", help="everything on the embedded default: migrate, demo data, API, workers, dashboard"
    )
    up.add_argument("--port", type=int, default=8000)
    up.add_argument("--dashboard-port", type=int, default=8501)
    up.add_argument("--clients", type=int, default=200)
    up.set_defaults(command=cmd_up)
    return parser


def cmd_migrate(args: argparse.Namespace) -> int:
    from orm.db import migrate_database

    asyncio.run(migrate_database())
    print("database is up to date")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from billing.importer import ImportRejected, import_document, load_import_file

    async def run() -> int:
        from orm.db import close_database, open_database

        try:
            document = load_import_file(args.file)
        except ImportRejected as rejected:
            return report_rejection(rejected.problems)
        await open_database()
        try:
            summary = await import_document(document)
        except ImportRejected as rejected:
            return report_rejection(rejected.problems)
        finally:
            await close_database()
        print(summary)
        return 0

    return asyncio.run(run())


def report_rejection(problems: Sequence[str]) -> int:
    print(f"import rejected, nothing was written ({len(problems)} problems):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_demo_data(args: argparse.Namespace) -> int:
    from billing.demo_data import write_demo_file

    write_demo_file(args.out, args.clients, args.seed, None)
    print(f"wrote {args.out} ({args.clients} clients)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graph.app import create_app

    uvicorn.run(create_app(get_settings()), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
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
        "workers.actors",
        "--processes",
        str(args.processes),
        "--threads",
        str(args.threads),
    ]
    return subprocess.call(command)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from orm.db import close_database, open_database
    from workers.scheduler import run_scheduler

    async def run() -> None:
        await open_database()
        try:
            await run_scheduler(get_settings().scheduler_interval_seconds)
        finally:
            await close_database()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    return subprocess.call(command)


def cmd_up(args: argparse.Namespace) -> int:
    from ispbox.stack import run_stack

    return run_stack(api_port=args.port, dashboard_port=args.dashboard_port, clients=args.clients)


if __name__ == "__main__":
    raise SystemExit(main())
