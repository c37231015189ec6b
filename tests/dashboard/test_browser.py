"""The dashboard in a real browser: `streamlit run` against the running API, driven by
Playwright on Debian's Chromium. Skipped where Chromium or Playwright is missing, except under CI,
where that fails."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.dashboard.conftest import DASHBOARD_APP, RunningApi, wait_for_health
from tests.dashboard.tenants import DEMO_EDITOR_TOKEN
from tests.support.services import free_port, stop_process, under_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RENDER_TIMEOUT_MS = 30_000
# Streamlit renders over a websocket after the page loads: the app is done when its script has
# stopped and no skeleton placeholder is left.
RENDERED = (
    "() => document.querySelector('[data-testid=\"stApp\"]')"
    "?.getAttribute('data-test-script-state') === 'notRunning'"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
)


def require(available: bool, what: str) -> None:
    if available:
        return
    if under_ci():
        pytest.fail(f"{what} is missing (CI must run the browser check)")
    pytest.skip(f"{what} is missing")


@pytest.fixture
def dashboard_url(api_server: RunningApi, tmp_path: Path) -> Iterator[str]:
    """A `streamlit run dashboard/app.py` process pointed at the API, new for the test."""
    require(CHROMIUM.exists(), str(CHROMIUM))
    require(importlib.util.find_spec("playwright") is not None, "the playwright package")
    port = free_port()
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("ISPBOX_")},
        "ISPBOX_API_URL": api_server.graphql_url,
        "ISPBOX_API_TOKEN": DEMO_EDITOR_TOKEN,
        # No ~/.streamlit settings or credentials of the machine's user.
        "HOME": str(tmp_path),
    }
    with (tmp_path / "streamlit.log").open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP)),
                *("--server.headless", "true", "--server.port", str(port)),
                *("--browser.gatherUsageStats", "false"),
            ],
            env=environment,
            # The repository's .streamlit/config.toml applies, as to `streamlit run` there.
            cwd=DASHBOARD_APP.parents[1],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(process, f"{url}/_stcore/health", tmp_path / "streamlit.log", "streamlit")
        yield url
    finally:
        stop_process(process)


def test_pages_render_in_chromium_without_exceptions(dashboard_url: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # The run page first: a deep link is the first request a fresh server may get.
        for path, name, expected in (
            ("/bulk_run", "bulk_run", ("Bulk invoice run", "Run Bulk Now", "Recent runs")),
            ("/", "invoices", ("Total Invoices", "Outstanding Balance", "Paid Invoices")),
        ):
            page.goto(dashboard_url + path)
            page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS)
            page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

            assert page.locator('[data-testid="stException"]').count() == 0, name
            assert page.locator('[data-testid="stAppDeployButton"]').count() == 0, name
            text = page.locator('[data-testid="stMain"]').inner_text()
            for words in expected:
                assert words in text, f"{words!r} is not on {path}"
            navigation = page.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Bulk run" in navigation and "Client billing" in navigation
        labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        assert labels == ["Total Invoices", "Outstanding Balance", "Paid Invoices"]
        browser.close()


NARROW = {"width": 1024, "height": 900}
# Texts that must read whole on one line: KPI labels and values, headings, page links, the invoice
# list's headings, numbers, dates and amounts. Each returned is broken: wrapped onto another
# line, cut with "…", or running out of its column.
BROKEN_TEXTS = """() => {
  const selectors = [
    '[data-testid="stMetricLabel"]', '[data-testid="stMetricValue"]',
    '[data-testid="stMain"] [data-testid="stHeading"] :is(h1, h2, h3)',
    // Page links, but the client names of the invoice list (a long name may be cut there).
    '[data-testid="stMain"] [data-testid="stPageLink"]:not([class*="st-key-invoice-list"] *)',
    '[class*="st-key-invoice-list"] [data-testid="stColumn"] p strong',
    '[class*="st-key-invoice-list"] [data-testid="stColumn"]'
      + ':is(:nth-child(1), :nth-child(3), :nth-child(4), :nth-child(5)) p',
  ];
  const ICON = '[data-testid="stIconMaterial"]';
  const textRects = (element) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const rects = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A material icon is drawn from its name's letters: not text that can break.
      if (!node.textContent.trim() || node.parentElement.closest(ICON)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      rects.push(...[...range.getClientRects()].filter((rect) => rect.width > 0));
    }
    return rects;
  };
  const broken = (element) => {
    const rects = textRects(element);
    const lines = new Set(rects.map((rect) => Math.round(rect.bottom)));
    const cut = [element, ...element.querySelectorAll('*')].some(
      (part) => !part.closest(ICON) && part.scrollWidth > part.clientWidth + 1
        && getComputedStyle(part).overflowX !== 'visible');
    const column = element.closest('[data-testid="stColumn"]');
    const spills = column !== null
      && rects.some((rect) => rect.right > column.getBoundingClientRect().right + 1);
    return lines.size > 1 || cut || spills;
  };
  return [...document.querySelectorAll(selectors.join(','))]
    .filter((element) => element.innerText.trim() && broken(element))
    .map((element) => element.innerText.trim());
}"""


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS)


def test_layout_holds_at_1024_pixels_wide(dashboard_url: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=NARROW)
        for path, name in (("/", "invoices"), ("/bulk_run", "bulk_run")):
            open_page(page, dashboard_url + path)
            page.screenshot(path=str(tmp_path / f"{name}-1024.png"), full_page=True)

            assert page.locator('[data-testid="stMetricValue"]').count() >= 3, name
            broken = page.evaluate(BROKEN_TEXTS)
            assert broken == [], f"broken texts on {path}: {broken}"
        browser.close()


# Clicking the field opens its calendar too; reaching it from the keyboard does not.
@pytest.mark.parametrize("reach", ["click", "focus"])
def test_previews_follow_a_billing_date_typed_and_entered(
    api_server: RunningApi, dashboard_url: str, reach: str
):
    from playwright.sync_api import sync_playwright

    typed = date.today() + timedelta(days=9)
    plan = api_server.graphql(
        DEMO_EDITOR_TOKEN,
        "query ($day: Date) { invoiceRunPlan(billingDate: $day) { dueDate } }",
        {"day": typed.isoformat()},
    )["invoiceRunPlan"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=NARROW)
        open_page(page, dashboard_url + "/bulk_run")
        # The field's year, month and day segments: typing one moves on to the next.
        year = page.locator('[data-testid="stDateInput"] [role="spinbutton"][data-type="year"]')

        getattr(year, reach)()
        page.keyboard.type(typed.strftime("%Y%m%d"))
        page.keyboard.press("Enter")
        run_date = page.locator('[data-testid="stMetric"]', has_text="Run date")
        run_date.get_by_text(typed.isoformat()).wait_for(timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS)

        due = page.locator('[data-testid="stMetric"]', has_text="Due date")
        assert due.locator('[data-testid="stMetricValue"]').inner_text() == plan["dueDate"]
        browser.close()


def test_settings_and_credit_notes_pages_hold_at_1024_pixels_wide(
    dashboard_url: str, tmp_path: Path
):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=NARROW)
        for path, expected in (
            ("/settings", ("Settings → Invoices", "Legal name", "Payment terms (days)", "Save")),
            ("/credit_notes", ("Credit notes", "Issue one with Credit note")),
        ):
            open_page(page, dashboard_url + path)
            page.screenshot(path=str(tmp_path / f"{path.strip('/')}-1024.png"), full_page=True)

            assert page.locator('[data-testid="stException"]').count() == 0, path
            text = page.locator('[data-testid="stMain"]').inner_text()
            for words in expected:
                assert words in text, f"{words!r} is not on {path}"
            broken = page.evaluate(BROKEN_TEXTS)
            assert broken == [], f"broken texts on {path}: {broken}"
        browser.close()


def test_payments_page_holds_at_1024_pixels_wide(dashboard_url: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=NARROW)
        open_page(page, dashboard_url + "/payments")
        page.screenshot(path=str(tmp_path / "payments-1024.png"), full_page=True)

        assert page.locator('[data-testid="stException"]').count() == 0
        text = page.locator('[data-testid="stMain"]').inner_text()
        for words in ("Payments", "Received", "Unallocated", "Reverse", "Refund"):
            assert words in text, f"{words!r} is not on /payments"
        assert page.evaluate(BROKEN_TEXTS) == []
        navigation = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Payments" in navigation
        browser.close()
