"""The built site in headless Chromium (Debian's, driven by Playwright; never downloaded).

Opens the index from file://, follows the links to every plan page and back, checks there
are no console errors, that charts are drawn with a size, and that axe-core finds no serious
or critical violation. Screenshots go to tests/artifacts/ (git-ignored). Requests other than
file:// are blocked.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smartdoc.cli import main

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "site"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("browser") / "portfolio"
    shutil.copytree(CORPUS / "portfolio", project)
    result = CliRunner().invoke(
        main, ["build", "-c", str(project / "smartdoc.yml"), "--today", "2027-04-15", "--no-pdf"]
    )
    assert result.exit_code == 0, result.output
    return project / "site"


@pytest.fixture(scope="module")
def browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: (
            errors.append(f"failed: {request.url}") if request.url.startswith("file:") else None
        ),
    )
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    return page, errors


def test_follow_every_plan_link_and_back(browser: Any, site: Path) -> None:
    page, errors = open_page(browser, VIEWPORTS["desktop"])
    index_url = (site / "index.html").as_uri()
    page.goto(index_url)
    links = page.locator(".plan-card__title a")
    count = links.count()
    assert count == 2
    visited = []
    for i in range(count):
        page.goto(index_url)
        page.locator(".plan-card__title a").nth(i).click()
        page.wait_for_load_state()
        assert page.url != index_url
        visited.append(page.url)
        assert page.locator("h1").count() == 1
        charts = page.locator("svg.smartdoc-chart:visible")  # one of its two renderings
        assert charts.count() >= 1
        for n in range(charts.count()):
            box = charts.nth(n).bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 50
        page.get_by_role("link", name="Portfolio").first.click()
        page.wait_for_load_state()
        assert page.url == index_url
    assert sorted(Path(url).name for url in visited) == ["brand.html", "northwind-social.html"]
    page.goto((site / "rules.html").as_uri())
    assert page.locator("article.rule").count() > 10
    assert errors == []
    page.close()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize(
    "name", ["index.html", "northwind-social.html", "team/brand.html", "rules.html"]
)
def test_axe_finds_no_serious_violation(browser: Any, site: Path, name: str, viewport: str) -> None:
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed (pip install axe-playwright-python)",
    )
    page, errors = open_page(browser, VIEWPORTS[viewport])
    page.goto((site / name).as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"site-{name.replace('/', '_').removesuffix('.html')}-{viewport}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert errors == []  # before axe runs: its own stylesheet requests are refused on file://
    results = axe_module.Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)
    # no horizontal scrolling of the page itself on a phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"] + 1
    page.close()


def test_readable_without_javascript(browser: Any, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "northwind-social.html").as_uri())
    assert page.locator("article.goal").count() == 4
    assert page.locator("table.phases").first.is_visible()
    context.close()
