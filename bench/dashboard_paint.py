"""The dashboard in Chromium against a prepared demo database (the api_latency bench's: 20,000
demo clients, and history to a million invoices with --keep): the overview's first paint (from
the request to a page whose script has stopped with no skeleton left) and a page turn of the
invoice list (Next, to the page drawn again). Prints each round and the median. Not a test.

    .venv/bin/python -m bench.dashboard_paint --database NAME
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

from bench.processes import ROOT, api_server, new_queue_prefix, product_env
from bench.scratch import DEMO_TENANT, EDITOR_TOKEN, database_url
from billing.tokens import hash_token
from ispbox.config import get_settings

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
RENDERED = (
    "() => document.querySelector('[data-testid=\"stApp\"]')"
    "?.getAttribute('data-test-script-state') === 'notRunning'"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
)
UNLIMITED = "1000000/minute"


async def sign_editor_in(database: str) -> None:
    """The editor's token hashed with this process's key (the database may have been prepared
    by another process, with another key)."""
    conn = await asyncpg.connect(database_url(database))
    try:
        await conn.execute(
            "UPDATE users SET token_hash = $1 WHERE key = 'editor' AND tenant_id = "
            "(SELECT id FROM tenants WHERE key = $2)",
            hash_token(EDITOR_TOKEN, get_settings().signing_key),
            DEMO_TENANT,
        )
    finally:
        await conn.close()


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def measure(dashboard: str, rounds: int, width: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    paints, turns = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        for attempt in range(rounds + 1):
            page = browser.new_page(viewport={"width": width, "height": 1000})
            started = time.perf_counter()
            page.goto(dashboard + "/")
            page.wait_for_function(RENDERED, timeout=120_000)
            paint = time.perf_counter() - started
            started = time.perf_counter()
            page.get_by_role("button", name="Next").click()
            page.get_by_text("Page 2 of").wait_for(timeout=120_000)
            page.wait_for_function(RENDERED, timeout=120_000)
            turn = time.perf_counter() - started
            page.close()
            label = "warm-up (new server)" if attempt == 0 else f"round {attempt}"
            print(f"  {label:<22} first paint {paint:5.2f} s   page turn {turn:5.2f} s", flush=True)
            if attempt:
                paints.append(paint)
                turns.append(turn)
        browser.close()
    return paints, turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True, help="a prepared demo database (kept)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--port", type=int, default=8745)
    parser.add_argument("--dashboard-port", type=int, default=8746)
    args = parser.parse_args()
    asyncio.run(sign_editor_in(args.database))
    env = product_env(
        database_url(args.database),
        new_queue_prefix(),
        env="development",
        rate_limit_per_token=UNLIMITED,
        rate_limit_per_address=UNLIMITED,
    )
    with (
        api_server(env, args.port, workers=2, access_log=False),
        tempfile.TemporaryDirectory() as home,
    ):
        dashboard_env = {
            **{name: value for name, value in os.environ.items() if not name.startswith("ISPBOX_")},
            "ISPBOX_API_URL": f"http://127.0.0.1:{args.port}/graphql",
            "ISPBOX_API_TOKEN": EDITOR_TOKEN,
            "PYTHONPATH": str(ROOT),
            "HOME": home,
        }
        command = [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
            "--server.headless", "true", "--server.port", str(args.dashboard_port),
        ]  # fmt: skip
        log = Path(home) / "streamlit.log"
        with log.open("wb") as output:
            streamlit = subprocess.Popen(
                command, env=dashboard_env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            dashboard = f"http://127.0.0.1:{args.dashboard_port}"
            wait_until_up(dashboard + "/_stcore/health")
            print(
                f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}; {args.width} px"
            )
            paints, turns = measure(dashboard, args.rounds, args.width)
            print(
                f"median: first paint {statistics.median(paints):.2f} s, "
                f"page turn {statistics.median(turns):.2f} s"
            )
        finally:
            streamlit.terminate()
            streamlit.wait(timeout=30)


if __name__ == "__main__":
    main()
