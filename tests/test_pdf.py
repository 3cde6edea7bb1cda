"""PDF scorecards and the handout: text, fonts, outline, structure, cache, reproducibility.

Checked with independent tools (docs/testing.md): pypdf for text and outline, `qpdf --check` for
structure, `pdffonts` for embedded fonts. The project is a copy of the repository's example
plans (Søren Müller, Zoé Laurent: ø, ü, é), scored as of 20 November 2026.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pypdf = pytest.importorskip("pypdf")

from project_helpers import check_project  # noqa: E402

from smartdoc import pdf  # noqa: E402
from smartdoc.cache import project_cache_dir  # noqa: E402
from smartdoc.config import load_config  # noqa: E402
from smartdoc.options import make_options  # noqa: E402
from smartdoc.pipeline.build import publish_site  # noqa: E402
from smartdoc.pipeline.site import SiteRequest  # noqa: E402
from smartdoc.site.pages import SiteRenderer  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 20)
EPOCH = 1700000000
needs_tools = pytest.mark.skipif(
    not (shutil.which("qpdf") and shutil.which("pdffonts")), reason="qpdf/poppler not installed"
)


def make_project(folder: Path, config: str = "site_name: Nordlys Økonomi\n") -> Path:
    """Copy the example plans into `folder` with a smartdoc.yml; return the root."""
    shutil.copytree(REPO / "plans", folder / "plans")
    (folder / "smartdoc.yml").write_text(config, encoding="utf-8")
    return folder


def get_jobs(root: Path, epoch: int = EPOCH) -> tuple[list[pdf.PdfJob], list[Any]]:
    """Return a scorecard job per plan and the plans' template data, as the build makes them."""
    config = load_config(start=root)
    project = check_project(config, (), TODAY)
    renderer = SiteRenderer(
        config,
        TODAY,
        base_url=config.site_url,
        with_pdf=True,
        slugs=[p.slug for p in project.plans],
    )
    plans = []
    for checked in sorted(project.plans, key=lambda p: p.slug):
        assert checked.loaded is not None and checked.loaded.plan is not None
        plans.append(renderer.render_plan(checked.loaded, checked.findings).context)
    jobs = [
        pdf.PdfJob(
            f"pdf/{plan['slug']}.pdf",
            plan["slug"],
            pdf.get_scorecard_html(
                renderer.env,
                site=renderer.site,
                plan=plan,
                page_size=config.pdf.page_size,
                epoch=epoch,
                link_base=config.site_url,
            ),
            pdf.get_base_url(config.root),
            epoch,
        )
        for plan in plans
    ]
    return jobs, plans


@dataclass(frozen=True)
class Built:
    """The PDFs of a build (`pdf/...` -> bytes), those made this run, and the warnings."""

    written: dict[str, bytes]
    rerendered: list[str]
    warnings: tuple[str, ...]


def render(root: Path, output: Path | None = None, *, fresh: bool = False) -> Built:
    """Build the site with PDFs as `smartdoc build` does; `fresh`: with an empty cache."""
    if fresh:
        shutil.rmtree(project_cache_dir(root), ignore_errors=True)
    config = load_config(start=root)
    options = make_options(today=TODAY, jobs=2, environ={"SOURCE_DATE_EPOCH": str(EPOCH)})
    request = SiteRequest(base_url=config.site_url, drafts=False, with_pdf=True, strict=False)
    site = output or root / "site"
    published = publish_site(config, options, request, site)
    assert published.outcome in ("built", "up-to-date"), published.findings
    written = {
        p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "pdf").iterdir())
    }
    rendered = sorted(rel for rel in published.rendered if rel.startswith("pdf/"))
    return Built(written, rendered, published.pdf_warnings)


def pdf_text(data: bytes) -> str:
    """Return the text of every page, whitespace collapsed (table cells wrap lines)."""
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def outline_titles(data: bytes) -> list[tuple[int, str]]:
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    found: list[tuple[int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))

    walk(reader.outline, 1)
    return found


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, pdf.PdfResult, list[dict[str, Any]]]:
    root = make_project(tmp_path_factory.mktemp("project"))
    _, plans = get_jobs(root)
    return root, render(root), plans


def test_one_scorecard_per_plan_and_a_handout(built: Any) -> None:
    _, result, plans = built
    names = sorted(result.written)
    assert names == sorted([f"pdf/{p['slug']}.pdf" for p in plans] + ["pdf/handout.pdf"])
    assert result.warnings == ()


def test_scorecard_text_has_titles_targets_latest_values_and_accents(built: Any) -> None:
    _, result, plans = built
    for plan in plans:
        text = pdf_text(result.written[f"pdf/{plan['slug']}.pdf"])
        assert plan["title"] in text
        for goal in plan["goals"]:
            assert goal["title"] in text
            assert goal["target_display"] in text, goal["id"]
            assert goal["current_display"] in text, goal["id"]
    fjordlys = pdf_text(result.written["pdf/fjordlys-social-2026.pdf"])
    for name in ("Søren Müller", "Zoé Laurent", "Nordlys Økonomi"):
        assert name in fjordlys
    # figures as on the site: thousands separators and the currency
    assert "11,520 followers" in fjordlys
    assert "12,000 followers" in fjordlys
    assert "€36,000" in fjordlys


def test_margins_show_plan_title_as_of_date_and_page_numbers(built: Any) -> None:
    _, result, _ = built
    reader = pypdf.PdfReader(io.BytesIO(result.written["pdf/fjordlys-social-2026.pdf"]))
    pages = len(reader.pages)
    assert pages >= 2
    last = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
    assert f"Page {pages} of {pages}" in last
    assert "As of 20 November 2026" in last
    assert "Fjordlys Candles social media plan 2026" in last


def test_handout_has_cover_contents_and_every_plan(built: Any) -> None:
    _, result, plans = built
    data = result.written["pdf/handout.pdf"]
    text = pdf_text(data)
    assert "SCORECARDS Nordlys Økonomi 3 plans, 17 goals · figures as of 20 November 2026" in text
    assert "Portfolio summary" in text
    titles = outline_titles(data)
    assert (1, "Portfolio summary") in titles
    for plan in plans:
        assert (1, plan["title"]) in titles
        for goal in plan["goals"]:
            assert (2, goal["title"]) in titles
    # the cover is the contents: each plan with the page it starts on, "<title> ..... <n>"
    first = plans[0]["title"]
    assert re.search(re.escape(first) + r".*?\.{3,} ?\d+", text)


def test_scorecard_outline_has_plan_then_goals(built: Any) -> None:
    _, result, plans = built
    plan = plans[0]
    titles = outline_titles(result.written[f"pdf/{plan['slug']}.pdf"])
    assert titles == [(1, plan["title"])] + [(2, g["title"]) for g in plan["goals"]]


@needs_tools
def test_qpdf_check_and_fonts_embedded(built: Any, tmp_path: Path) -> None:
    _, result, _ = built
    for name, data in result.written.items():
        file = tmp_path / Path(name).name
        file.write_bytes(data)
        check = subprocess.run(["qpdf", "--check", str(file)], capture_output=True, text=True)
        assert check.returncode == 0, (name, check.stdout, check.stderr)
        fonts = subprocess.run(
            ["pdffonts", str(file)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert fonts, name
        for line in fonts:
            assert "DejaVu" in line, line
            # columns: name type encoding emb sub uni object ID
            assert line.split()[-5] == "yes", line


def test_creation_date_from_epoch_and_no_embedded_files(built: Any) -> None:
    _, result, _ = built
    for data in result.written.values():
        reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
        assert reader.metadata["/CreationDate"].startswith("D:20231114221320")
        assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
        assert reader.attachments == {}


@needs_tools
def test_no_machine_path_in_any_pdf(built: Any, tmp_path: Path) -> None:
    root, result, _ = built
    for name, data in result.written.items():
        file = tmp_path / "in.pdf"
        file.write_bytes(data)
        plain = tmp_path / "plain.pdf"
        subprocess.run(
            ["qpdf", "--qdf", "--object-streams=disable", str(file), str(plain)], check=True
        )
        raw = plain.read_bytes()
        assert str(root).encode() not in raw, name
        assert b"file:" not in raw, name


def test_second_render_remakes_nothing_and_a_change_remakes_one_plan_and_handout(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "p")
    first = render(root)
    assert len(first.rerendered) == 4
    again = render(root)
    assert again.rerendered == []  # nothing to do: the site is up to date
    assert again.written == first.written
    plan = root / "plans" / "kessler-b2b-2026.md"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("title: Kessler", "title: Neue Kessler", 1),
        encoding="utf-8",
    )
    changed = render(root)
    assert sorted(changed.rerendered) == ["pdf/handout.pdf", "pdf/kessler-b2b-2026.pdf"]
    assert "Neue Kessler" in pdf_text(changed.written["pdf/kessler-b2b-2026.pdf"])
    assert (
        changed.written["pdf/fjordlys-social-2026.pdf"]
        == first.written["pdf/fjordlys-social-2026.pdf"]
    )


def test_same_inputs_give_byte_identical_pdfs(built: Any, tmp_path: Path) -> None:
    root, result, _ = built
    # a fresh cache and a new folder: every PDF is rendered again, in other processes
    again = render(root, tmp_path / "again", fresh=True)
    assert len(again.rerendered) == 4
    assert again.written == result.written


def test_letter_page_size_and_site_links(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p", "pdf: {page_size: Letter}\nsite_url: https://plans.example.org/q4/\n"
    )
    jobs, plans = get_jobs(root)
    job = next(j for j in jobs if j.name == "pdf/velo-verde-retention-fy27.pdf")
    made = pdf.render_pdfs([job], root=root, workers=1, progress=False)
    reader = pypdf.PdfReader(io.BytesIO(made.written[job.name]), strict=True)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    uris = {
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if "/URI" in annot.get_object().get("/A", {})
    }
    plan = next(p for p in plans if p["slug"] == "velo-verde-retention-fy27")
    assert "https://plans.example.org/q4/velo-verde-retention-fy27.html" in uris
    first_goal = plan["goals"][0]["anchor"]
    assert f"https://plans.example.org/q4/velo-verde-retention-fy27.html#{first_goal}" in uris


def test_importing_the_pdf_stage_does_not_load_weasyprint() -> None:
    code = "import sys, smartdoc.pdf; sys.exit(1 if 'weasyprint' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def test_epoch_defaults_to_midnight_utc_of_today() -> None:
    assert pdf.get_epoch(dt.date(2023, 11, 14), None) == 1699920000
    assert pdf.get_epoch(dt.date(2023, 11, 14), 1700000000) == EPOCH


def test_build_with_pdfs_links_them_from_the_pages(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from smartdoc.cli import main

    root = tmp_path / "project"
    (root / "plans").mkdir(parents=True)
    shutil.copy(REPO / "tests/corpus/valid/northwind.md", root / "plans/northwind.md")
    shutil.copytree(REPO / "tests/corpus/valid/data", root / "plans/data")
    (root / "smartdoc.yml").write_text("site_name: Nordlys\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "build",
            "-q",
            "--pdf",
            "-j",
            "1",
            "--today",
            "2027-07-15",
            "-c",
            str(root / "smartdoc.yml"),
        ],
    )
    assert result.exit_code == 0, result.output
    site = root / "site"
    assert (site / "pdf/northwind.pdf").read_bytes().startswith(b"%PDF")
    assert (site / "pdf/handout.pdf").read_bytes().startswith(b"%PDF")
    assert 'href="pdf/handout.pdf"' in (site / "index.html").read_text(encoding="utf-8")
    assert 'href="pdf/northwind.pdf"' in (site / "northwind.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", "-q", "--no-pdf", "--today", "2027-07-15", "-c", str(root / "smartdoc.yml")]
    )
    assert result.exit_code == 0, result.output
    assert not (site / "pdf").exists()
    assert "pdf/" not in (site / "index.html").read_text(encoding="utf-8")


# --- issue 12: the PDF a client keeps ---------------------------------------------------------


def page_texts(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def lowest_text(data: bytes, page_number: int, margin: float) -> float:
    """Return the height above the page's bottom edge of its lowest line of body text."""
    page = pypdf.PdfReader(io.BytesIO(data), strict=True).pages[page_number]
    heights: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        y = tm[5] * cm[3] + cm[5] if cm else tm[5]
        if text.strip() and y > margin:
            heights.append(y)

    page.extract_text(visitor_text=visit)
    return min(heights)


def test_scorecard_page_one_is_the_summary_with_as_of_said_once(built: Any) -> None:
    _, result, _ = built
    data = result.written["pdf/velo-verde-retention-fy27.pdf"]
    pages = page_texts(data)
    first = pages[0]
    for words in ("At a glance", "BEFORE", "CURRENT", "EXPECTED", "TARGET", "PROGRESS"):
        assert words in first
    assert "KIND × AREA" in first and "Strategic objectives" in first
    # churn's row: before, current with its date, expected on that date, target, progress
    assert "4.8% 30 Jun 2026 4.7% 1 Nov 2026 4.4% 34% of the way 3.5% by 30 Jun 2027 8%" in first
    assert first.count("As of") == 1 and "As of 20 November 2026" in first
    for number, text in enumerate(pages, start=1):
        assert text.count("As of 20 November 2026") == 1
        footer = "Nordlys Økonomi · Velo Verde customer support and retention plan FY 2026/27"
        assert footer in text and f"Page {number} of {len(pages)}" in text
    # page 1 is filled: its lowest line of text (above the footer) is in the bottom third
    height = float(pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox.height)
    assert lowest_text(data, 0, margin=60) < height / 3


def test_the_override_and_the_stale_figure_on_the_scorecard_the_page_and_in_plans_json(
    built: Any,
) -> None:
    _, result, _ = built
    text = pdf_text(result.written["pdf/velo-verde-retention-fy27.pdf"])
    # CSAT's last figure is of 1 September: 80 days before 20 November, flagged on the card
    # and in the review notes as on the page
    assert "On track ⚠ last figure 80 days ago" in text
    assert (
        "WARNING P101 goal 'csat': last check-in is dated 2026-09-01, 80 days before today" in text
    )
    assert "Review notes" in text
    assert (
        "Judged at risk by Anneliese Brück on 23 November 2026: The win-back offer went live "
        "on 15 October; November is its first full month (computed: off track)"
    ) in text
    assert "Off track judged At risk" in text
    # the same build's page and plans.json carry the override beside the computed status
    root = built[0]
    page = re.sub(r"<[^>]+>", " ", (root / "site" / "velo-verde-retention-fy27.html").read_text())
    page = re.sub(r"\s+", " ", page)
    assert "Off track judged At risk" in page
    assert "The win-back offer went live on 15 October" in page
    data = json.loads((root / "site" / "plans.json").read_text(encoding="utf-8"))
    velo = next(p for p in data["plans"] if p["slug"] == "velo-verde-retention-fy27")
    churn = next(g for g in velo["goals"] if g["id"] == "monthly-churn")
    assert churn["status"] == "off-track"
    assert churn["override"] == {
        "status": "at-risk",
        "reason": "The win-back offer went live on 15 October; November is its first full month",
        "date": "2026-11-23",
        "by": "Anneliese Brück",
    }


def test_an_unmet_letter_gives_its_reason(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    plan = root / "plans" / "kessler-b2b-2026.md"
    text = plan.read_text(encoding="utf-8")
    vague = "Grow Kessler Insights newsletter subscribers from 1,850 to 3,000 by December 2026"
    plan.write_text(text.replace(vague, "Grow the newsletter"), encoding="utf-8")
    jobs, plans = get_jobs(root)
    kessler = next(p for p in plans if p["slug"] == "kessler-b2b-2026")
    goal = next(g for g in kessler["goals"] if g["id"] == "newsletter-subscribers")
    (specific,) = [b for b in goal["smart"] if b["letter"] == "S"]
    assert specific["state_name"] == "fail" and specific["reasons"]
    job = next(j for j in jobs if j.name == "pdf/kessler-b2b-2026.pdf")
    made = pdf.render_pdfs([job], root=root, workers=1, progress=False)
    text = pdf_text(made.written[job.name])
    assert f"S · Specific not met: {'; '.join(specific['reasons'])}" in text


def test_handout_front_with_the_portfolio_summary(built: Any) -> None:
    _, result, _ = built
    reader = pypdf.PdfReader(io.BytesIO(result.written["pdf/handout.pdf"]), strict=True)
    front = " ".join(" ".join(reader.pages[i].extract_text().split()) for i in range(2))
    assert "3 plans, 17 goals · figures as of 20 November 2026" in front
    assert "Portfolio summary" in front
    # per plan: its status counts, attainment and worst status
    assert "Velo Verde customer support and retention plan FY 2026/27 5 1 achieved" in front
    # per objective, by horizon then title: efficiency is 75% with a breached goal
    assert "Hold support cost per subscriber flat while the fleet grows by 30%" in front
    assert "Goals by kind and area" in front


def test_the_handout_is_the_scorecards_pages_after_its_front(built: Any) -> None:
    _, result, plans = built
    handout = pypdf.PdfReader(io.BytesIO(result.written["pdf/handout.pdf"]), strict=True)
    cards = [pypdf.PdfReader(io.BytesIO(result.written[f"pdf/{p['slug']}.pdf"])) for p in plans]
    counts = [len(card.pages) for card in cards]
    front = len(handout.pages) - sum(counts)
    assert front >= 1
    # the pages are the scorecards' own, in plan order, after the front
    page = front
    for plan, card in zip(plans, cards, strict=True):
        for index, scorecard_page in enumerate(card.pages):
            assert handout.pages[page + index].extract_text() == scorecard_page.extract_text()
        # the cover lists the page each plan starts on
        cover = " ".join(handout.pages[0].extract_text().split())
        assert re.search(re.escape(plan["title"]) + r".*?\.+ ?" + str(page + 1), cover)
        page += len(card.pages)


def test_no_anchor_is_shared_by_two_plans_of_a_handout(tmp_path: Path) -> None:
    """Plans with the same goal ids: every destination is unique, every link stays home."""
    root = make_project(tmp_path / "p")
    source = (root / "plans" / "kessler-b2b-2026.md").read_text(encoding="utf-8")
    for copy in ("kessler-twin", "kessler-triplet"):
        (root / "plans" / f"{copy}.md").write_text(
            source.replace("Kessler Präzisionstechnik", f"Kessler {copy}"), encoding="utf-8"
        )
    built = render(root)
    assert not [w for w in built.warnings if "defined twice" in w], built.warnings
    handout = pypdf.PdfReader(io.BytesIO(built.written["pdf/handout.pdf"]), strict=True)
    names = list(handout.named_destinations)
    assert len(names) == len(set(names)) and names
    # every internal link of a plan's pages points at a page of that same plan
    starts = {}
    for item in handout.outline:
        if not isinstance(item, list):
            starts[handout.get_destination_page_number(item)] = item.title
    bounds = [*sorted(starts), len(handout.pages)]
    dests = handout.named_destinations
    for first, end in itertools.pairwise(bounds):
        for number in range(first, end):
            for annot in handout.pages[number].get("/Annots", []) or []:
                target = annot.get_object().get("/Dest")
                if target is None or str(target) not in dests:
                    continue
                landing = handout.get_destination_page_number(dests[str(target)])
                assert first <= landing < end, (starts[first], target)
