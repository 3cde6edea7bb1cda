"""`smartdoc serve` in Chromium: an open page reloads by itself when a plan changes.

Drives Debian's /usr/bin/chromium through Playwright (never `playwright install`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from serve_helpers import Served, init_project

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()

        def only_loopback(route):  # type: ignore[no-untyped-def]
            url = route.request.url
            if url.startswith(("http://127.0.0.1:", "http://localhost:")):
                route.continue_()
            else:
                route.abort()

        page.route("**/*", only_loopback)
        yield page
        browser.close()


def test_page_reloads_itself_on_edit_and_shows_overlay(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    project = init_project(tmp_path / "project")
    plan = project / "plans" / "example.md"
    server = Served(project)
    try:
        page.goto(f"{server.base}/example.html")
        assert "Example Coffee online plan 2026" in page.title()
        page.evaluate("window.__notReloaded = true")
        # wait until the event stream is open, so the edit is not raced
        page.wait_for_function(
            "performance.getEntriesByType('resource')"
            ".some(e => e.name.includes('/__smartdoc/events'))"
            " || document.readyState === 'complete'"
        )
        page.wait_for_timeout(300)

        plan.write_text(plan.read_text().replace("online plan 2026", "live plan 2026", 1))
        page.wait_for_function("document.title.includes('live plan 2026')", timeout=15_000)
        assert page.evaluate("window.__notReloaded === undefined")  # reloaded by itself

        text = plan.read_text()
        plan.write_text(text.replace("target: 3200", "target: [3200", 1))
        overlay = page.wait_for_selector("#smartdoc-overlay", timeout=15_000)
        assert overlay is not None
        assert "plans/example.md:" in overlay.inner_text()
        assert "live plan 2026" in page.title()  # the last good page, still

        plan.write_text(text)
        page.wait_for_selector("#smartdoc-overlay", state="detached", timeout=15_000)
    finally:
        assert server.stop() == 0
