"""The dashboard in a real browser: `streamlit run` against the running API, driven by
Playwright on Debian's Chromium. Skipped where Chromium or Playwright is missing, except under CI,
where that fails."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
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
        assert labels == [
            "Total Invoices",
            "Outstanding Balance",
            "Paid Invoices",
            "Invoiced this month",
            "Collected this month",
        ]
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


def test_settings_credit_notes_and_bank_statements_pages_hold_at_1024_pixels_wide(
    dashboard_url: str, tmp_path: Path
):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=NARROW)
        for path, expected in (
            ("/settings", ("Settings → Invoices", "Legal name", "Payment terms (days)", "Save")),
            ("/credit_notes", ("Credit notes", "Issue one with Credit note")),
            ("/bank_statements", ("Bank statements", "Statement file (CAMT.053 XML or MT940)")),
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


def test_collections_page_renders_its_lists_and_the_aging_chart(dashboard_url: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_page(page, dashboard_url + "/collections")
        page.screenshot(path=str(tmp_path / "collections.png"), full_page=True)

        assert page.locator('[data-testid="stException"]').count() == 0
        text = page.locator('[data-testid="stMain"]').inner_text()
        for words in ("Collections", "Overdue invoices", "Blocked clients", "Aging"):
            assert words in text, f"{words!r} is not on /collections"
        assert "Send reminder" in text
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1
        assert "Collections" in page.locator('[data-testid="stSidebarNav"]').inner_text()


WIDE = {"width": 1440, "height": 1000}
GRID = '[data-testid="stDataFrame"]'
# The data grid's geometry (Streamlit's defaults): header and row height, row marker width.
GRID_HEADER_PX = 35
GRID_ROW_PX = 35
ROW_MARKER_PX = 30


def invoice_grid(page):
    """The invoice list's grid (the table keyed invoices.table)."""
    return page.locator(f'[class*="st-key-invoices-table"] {GRID}')


FIRST_CELLS = f'[class*="st-key-invoices-table"] {GRID} [role="row"] [role="gridcell"]:nth-child(1)'


def first_column_texts(page) -> list[str]:
    """The invoice numbers the grid holds (its cells are drawn on a canvas; a hidden accessible
    grid holds the visible rows' text), once it holds them."""
    page.wait_for_function(
        f"() => document.querySelectorAll({FIRST_CELLS!r}).length > 0", timeout=RENDER_TIMEOUT_MS
    )
    return [text.strip() for text in page.locator(FIRST_CELLS).all_text_contents()]


def click_row(page, row: int, x_offset: int) -> None:
    """A click on the invoice grid's row (from 0), `x_offset` pixels from its left edge."""
    grid = invoice_grid(page)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    y = box["y"] + GRID_HEADER_PX + GRID_ROW_PX * row + GRID_ROW_PX / 2
    page.mouse.click(box["x"] + x_offset, y)


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["1024", "1440"])
def test_overview_filters_sorts_selects_and_opens_an_invoice(
    api_server: RunningApi, dashboard_url: str, tmp_path: Path, viewport: dict
):
    from playwright.sync_api import sync_playwright

    width = viewport["width"]
    by_total = api_server.graphql(
        DEMO_EDITOR_TOKEN,
        "{ invoices(first: 25, sort: {field: TOTAL, direction: DESC}) "
        "{ edges { node { id displayNumber total } } } }",
    )["invoices"]["edges"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=viewport)

        started = time.perf_counter()
        open_page(page, dashboard_url + "/")
        cold_paint = time.perf_counter() - started
        # Again, as a person coming back: the server process has its modules loaded.
        started = time.perf_counter()
        open_page(page, dashboard_url + "/")
        first_paint = time.perf_counter() - started
        page.screenshot(path=str(tmp_path / f"overview-{width}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        # The three charts drew: invoiced and collected, the status mix, the aging buckets.
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        assert charts.count() == 3
        assert page.evaluate(BROKEN_TEXTS) == []

        started = time.perf_counter()
        page.get_by_role("button", name="Next").click()
        page.get_by_text("Page 2 of").wait_for(timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS)
        page_turn = time.perf_counter() - started
        print(
            f"\n[{width} px] overview first paint {first_paint:.2f} s (first visit to a new "
            f"server {cold_paint:.2f} s), page turn {page_turn:.2f} s"
        )

        # A sorted, filtered view from the address.
        open_page(page, dashboard_url + "/?sort=total&dir=desc")
        numbers = first_column_texts(page)
        assert numbers[:5] == [edge["node"]["displayNumber"] for edge in by_total[:5]]

        # The overdue filter, switched on, goes into the address.
        page.get_by_text("Filters").click()
        page.get_by_text("Overdue only").click()
        page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function("() => location.search.includes('overdue=1')")

        # Selecting a row enables the bulk actions.
        open_page(page, dashboard_url + "/?sort=total&dir=desc")
        click_row(page, 0, ROW_MARKER_PX / 2)
        page.get_by_text("1 invoice selected").wait_for(timeout=RENDER_TIMEOUT_MS)
        assert page.get_by_role("button", name="Send").is_enabled()
        page.screenshot(path=str(tmp_path / f"selection-{width}.png"), full_page=True)

        # A click on a row's cell opens its detail.
        click_row(page, 1, ROW_MARKER_PX + 60)
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Lines").wait_for(timeout=RENDER_TIMEOUT_MS)
        assert by_total[1]["node"]["displayNumber"] in dialog.inner_text()
        page.screenshot(path=str(tmp_path / f"detail-{width}.png"))
        assert f"invoice={by_total[1]['node']['id']}" in page.url
        browser.close()


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["1024", "1440"])
def test_run_page_dry_run_and_history(
    api_server: RunningApi, dashboard_url: str, tmp_path: Path, viewport: dict
):
    from playwright.sync_api import sync_playwright

    preview = api_server.graphql(
        DEMO_EDITOR_TOKEN, "{ invoiceRunPreview { clientsBilled eligibleClients } }"
    )["invoiceRunPreview"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=viewport)
        open_page(page, dashboard_url + "/bulk_run")

        page.get_by_role("button", name="Dry run").click()
        billed = page.locator('[data-testid="stMetric"]', has_text="Clients billed")
        billed.wait_for(timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function(RENDERED, timeout=RENDER_TIMEOUT_MS)
        assert billed.locator('[data-testid="stMetricValue"]').inner_text() == (
            f"{preview['clientsBilled']:,} of {preview['eligibleClients']:,}"
        )
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate(BROKEN_TEXTS) == []
        page.screenshot(path=str(tmp_path / f"bulk_run-{viewport['width']}.png"), full_page=True)
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
