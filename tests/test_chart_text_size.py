"""Chart text is at least 11 CSS px on phones and desktops, and 7 pt in the PDF.

Widths 360 and 390 (phones), 725 (the narrowest screen given the wide rendering: the
stylesheet's switch) and 1280.

docs/theme.md#charts. SVG text scales with its viewBox, so these are measured where it is drawn:

- in Chromium (Debian's, through Playwright), on the example site built from plans/: each
  visible chart's `<text>` computed font size times the SVG's screen CTM scale; the key
  under it; and that no rendered label is wider than the width the placer measured for it
  from the shipped DejaVu Sans metrics (so the no-overlap guarantee holds on screen);
- in a scorecard PDF: every text run's font size times its full transformation matrix (text
  matrix, the page's `cm`s and those of the form XObjects WeasyPrint draws SVGs into). Chart
  text is the text drawn under an SVG's viewBox scale, i.e. not at WeasyPrint's CSS-px scale.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smartdoc.cli import main
from smartdoc.site.font_metrics import text_width

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PAGES = ("fjordlys-social-2026.html", "kessler-b2b-2026.html", "velo-verde-retention-fy27.html")
TODAY = "2026-12-01"
CSS_PX_PER_PT = 4 / 3
WEASYPRINT_PX = 0.75  # WeasyPrint draws the page in CSS px: 1 px = 0.75 pt


def _project(folder: Path, plans: tuple[str, ...] = ()) -> Path:
    """Copy the example plans (or the named ones, with their data) into a new project."""
    if plans:
        (folder / "plans").mkdir(parents=True)
        shutil.copytree(REPO / "plans" / "data", folder / "plans" / "data")
        for name in plans:
            shutil.copy(REPO / "plans" / name, folder / "plans" / name)
    else:
        shutil.copytree(REPO / "plans", folder / "plans")
    (folder / "smartdoc.yml").write_text("site_name: Example plans\n", encoding="utf-8")
    return folder


def _build(project: Path, *flags: str) -> Path:
    result = CliRunner().invoke(
        main, ["build", "-c", str(project / "smartdoc.yml"), "--today", TODAY, *flags]
    )
    assert result.exit_code == 0, result.output
    return project / "site"


# --- the PDF --------------------------------------------------------------------------------


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def _scale(m: tuple[float, ...]) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


def text_runs(pdf: Path) -> list[tuple[float, float]]:
    """Return (printed size in pt, scale of the graphics state) of every text run in `pdf`."""
    pypdf = pytest.importorskip("pypdf")
    from pypdf.generic import ContentStream

    reader = pypdf.PdfReader(pdf)
    runs: list[tuple[float, float]] = []

    def walk(owner: Any, resources: Any, ctm: tuple[float, ...]) -> None:
        stack: list[tuple[float, ...]] = []
        tm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)
        size = 0.0
        for operands, operator in ContentStream(owner, reader).operations:
            if operator == b"q":
                stack.append(ctm)
            elif operator == b"Q":
                ctm = stack.pop()
            elif operator == b"cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)
            elif operator == b"BT":
                tm = (1, 0, 0, 1, 0, 0)
            elif operator == b"Tf":
                size = float(operands[1])
            elif operator == b"Tm":
                tm = tuple(float(v) for v in operands)
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                runs.append((size * _scale(_multiply(tm, ctm)), _scale(ctm)))
            elif operator == b"Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                    walk(xobject, xobject.get("/Resources", resources), _multiply(matrix, ctm))

    for page in reader.pages:
        walk(page.get_contents(), page["/Resources"], (1, 0, 0, 1, 0, 0))
    return runs


def test_pdf_chart_text_is_at_least_7_pt(tmp_path: Path) -> None:
    site = _build(_project(tmp_path, ("fjordlys-social-2026.md",)), "--pdf", "-j", "1")
    runs = text_runs(site / "pdf" / "fjordlys-social-2026.pdf")
    page_scale = runs[0][1]  # the first text on page 1 is HTML: the plan's title
    assert page_scale == pytest.approx(WEASYPRINT_PX)
    chart = [size for size, scale in runs if not math.isclose(scale, page_scale, rel_tol=1e-6)]
    assert len(chart) >= 6 * 8  # 6 charts, each with axis labels and figures
    assert min(chart) >= 7.0, f"chart text printed at {min(chart):.2f} pt"


# --- the browser ----------------------------------------------------------------------------

MEASURE = """() => {
  const visible = [...document.querySelectorAll('svg.smartdoc-chart')]
    .filter(svg => svg.getBoundingClientRect().width > 0);
  return {
    hidden: document.querySelectorAll('svg.smartdoc-chart').length - visible.length,
    charts: visible.map(svg => {
      const ctm = svg.getScreenCTM();
      const scale = Math.sqrt(Math.abs(ctm.a * ctm.d - ctm.b * ctm.c));
      return [...svg.querySelectorAll('text')].map(t => {
        const style = getComputedStyle(t);
        return {text: t.textContent, size: parseFloat(style.fontSize), scale: scale,
                bold: parseInt(style.fontWeight, 10) >= 600,
                length: t.getComputedTextLength()};
      });
    }),
    keys: [...document.querySelectorAll('.smartdoc-chart__key')]
      .map(li => parseFloat(getComputedStyle(li).fontSize)),
    right: Math.max(...visible.map(svg => svg.getBoundingClientRect().right)),
  };
}"""


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(_project(tmp_path_factory.mktemp("examples")), "--no-pdf")


@pytest.fixture(scope="module")
def browser() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 390, 725, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_chart_text_is_at_least_11_css_px(
    browser: Any, example_site: Path, name: str, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto((example_site / name).as_uri())
    found = page.evaluate(MEASURE)
    page.close()
    charts = found["charts"]
    assert len(charts) >= 5
    assert found["hidden"] in (0, len(charts))  # one rendering of each chart is shown
    rendered = [(t["text"], t["size"] * t["scale"]) for chart in charts for t in chart]
    smallest = min(rendered, key=lambda item: item[1])
    assert smallest[1] >= 11.0, f"{smallest[0]!r} is {smallest[1]:.2f} CSS px at {width} px"
    assert min(found["keys"], default=math.inf) >= 11.0
    assert found["right"] <= width  # no chart runs off the screen
    for chart in charts:
        for t in chart:
            measured = text_width(t["text"], t["size"], bold=t["bold"])
            assert t["length"] <= measured + 0.5, f"{t['text']!r} drawn wider than measured"
