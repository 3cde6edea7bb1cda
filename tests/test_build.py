"""`smartdoc build`: plans.json figures, pages, links, drafts, findings and reproducibility.

Fixture projects live in tests/corpus/site/ (`directions/`: one goal of every direction,
`portfolio/`: two plans in a subfolder layout with a narrative image); small cases are
written inline. "Today" is always fixed with --today or SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartdoc.cli import main

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "site"
TIMEOUT = 120
#: 2027-04-15 12:00 UTC: "today" for the portfolio fixture (its check-ins run to April 2027).
EPOCH = "1807790400"


def copy_project(name: str, tmp_path: Path) -> Path:
    """Copy a corpus project into tmp_path and return its root."""
    target = tmp_path / name
    shutil.copytree(CORPUS / name, target)
    return target


def build(project: Path, *args: str) -> tuple[int, str]:
    """Run `smartdoc build` in-process on a project; return (exit code, output)."""
    runner = CliRunner()
    result = runner.invoke(
        main, ["build", "-c", str(project / "smartdoc.yml"), *args], catch_exceptions=False
    )
    return result.exit_code, result.output


def write_plan(project: Path, name: str, front_matter: str, body: str = "Narrative.\n") -> Path:
    """Write plans/<name>.md with the given front-matter and body."""
    path = project / "plans" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front_matter.strip()}\n---\n{body}", encoding="utf-8")
    return path


GOOD_GOAL = """
  - id: {id}
    title: Grow newsletter subscribers from 3,000 to 4,500 by 31 December 2027
    kind: {kind}
    area: communication
    serves: brand
    owner: Zoé Laurent
    budget: 1000
    metric: Newsletter subscribers
    objective: Known by young adults
    indicator: Newsletter subscribers
    method: Monthly export of the mail platform
    unit: subscribers
    source: Mail platform export
    frequency: monthly
    direction: increase
    deadline: 2027-12-31
    baseline: {{date: 2026-12-31, value: 3000}}
    target: 4500
    measurements:
      - {{date: 2027-03-01, value: 3300}}
"""


def plan_text(title: str = "Brand plan 2027", goals: str | None = None, extra: str = "") -> str:
    """Return front-matter of a plan that lints without errors."""
    if goals is None:
        goals = GOOD_GOAL.format(id="subs", kind="quantitative") + GOOD_GOAL.format(
            id="subs-qual", kind="qualitative"
        )
    return f"""
title: {title}
owner: Søren Müller
period: {{start: 2027-01-01, end: 2027-12-31}}
strategy:
  brand: Be seen as a young, fresh brand by 20-49 year olds
budget: {{total: 12000, currency: EUR}}
{extra}
goals:
{goals}
"""


def new_project(tmp_path: Path, config: str = "site_name: Test portfolio\n") -> Path:
    project = tmp_path / "proj"
    (project / "plans").mkdir(parents=True)
    (project / "smartdoc.yml").write_text(config, encoding="utf-8")
    return project


# --- plans.json figures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def directions_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("directions")
    project = copy_project("directions", tmp)
    code, output = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 0, output
    document = json.loads((project / "site" / "plans.json").read_text(encoding="utf-8"))
    assert document["version"] == 1
    assert document["today"] == "2027-04-01"
    (plan,) = document["plans"]
    return {"plan": plan, "goals": {g["id"]: g for g in plan["goals"]}}


def test_plans_json_plan_fields(directions_site: dict) -> None:
    plan = directions_site["plan"]
    assert plan["slug"] == "directions"
    assert plan["period"] == {"start": "2027-01-01", "end": "2027-12-31"}
    # judged at the date of each goal's figure (issue 12): reviews is on track on 15 March
    assert plan["status_counts"]["on-track"] == 2
    assert plan["status_counts"]["met"] == 1
    # reply-hours broke its ceiling once (4.5 in March): with hold "all" it is breached
    assert plan["status_counts"]["breached"] == 2
    # clamped progress of the 4 paced goals (0.3 + 0.4 + 0 + 1) and the band goals' share
    # of figures inside (2/3 + 1/2 + 1/1), over 7 goals: 3.8667 / 7
    assert plan["attainment"] == pytest.approx(
        (0.3 + 0.4 + 0 + 1 + 2 / 3 + 1 / 2 + 1) / 7, abs=1e-4
    )
    assert plan["worst_status"] == "breached"
    assert 0 <= plan["smart_score"] <= 1
    for key in ("slug", "title", "period", "status_counts", "attainment", "smart_score", "goals"):
        assert key in plan


def test_increase_uses_latest_by_date_not_best_nor_last_listed(directions_site: dict) -> None:
    goal = directions_site["goals"]["signups"]
    assert goal["direction"] == "increase"
    assert [c["date"] for c in goal["during"]] == ["2027-02-01", "2027-03-01"]  # sorted
    assert goal["progress"] == pytest.approx(0.3)  # 130, not the best (150)
    # at 1 March, the date of the current figure, not at today (1 April): 59 of 364 days
    assert goal["as_of"] == "2027-03-01"
    assert goal["expected"] == pytest.approx(59 / 364, abs=1e-4)
    assert goal["status"] == "on-track"
    assert goal["change"]["abs"] == 30
    assert goal["change"]["pct"] == 30
    assert goal["before"] == {"date": "2027-01-01", "value": 100, "note": None}
    assert goal["after"] is None
    assert goal["target"] == 200


def test_interim_targets_set_the_expected_pace(directions_site: dict) -> None:
    goal = directions_site["goals"]["reviews"]
    # expected value on 2027-03-15, the date of the check-in: 0 + 50 x 73/89 between
    # (01-01, 0) and (03-31, 50) = 41.01 reviews, e = 0.4101 (at today, 1 April, it would be
    # 50 + 50 x 1/275 = 50.18: at risk)
    assert goal["expected"] == pytest.approx(50 * 73 / 89 / 100, abs=1e-4)
    assert goal["progress"] == pytest.approx(0.4)
    assert goal["status"] == "on-track"  # 0.4 >= 0.4101 - 0.1
    assert goal["change"]["pct"] is None  # baseline 0: no percentage


def test_decrease_moving_away_has_negative_progress(directions_site: dict) -> None:
    goal = directions_site["goals"]["cost-per-order"]
    assert goal["direction"] == "decrease"
    assert goal["progress"] == pytest.approx(-0.24)  # (10.1 - 9.5) / (7 - 9.5)
    assert goal["status"] == "off-track"
    assert goal["change"]["abs"] == pytest.approx(0.6)
    assert goal["change"]["pct"] == pytest.approx(6.32)


def test_decrease_with_final_figure_is_achieved(directions_site: dict) -> None:
    goal = directions_site["goals"]["returns"]
    assert goal["after"] == {"date": "2027-03-20", "value": 28, "note": None}
    assert goal["progress"] == pytest.approx(1.1)  # not clamped in data
    assert goal["status"] == "achieved"
    assert goal["change"] == {"abs": -22, "pct": -44, "basis": "after"}


@pytest.mark.parametrize(
    ("goal_id", "status", "inside", "total"),
    [
        # at-most 4: 3.5 and 4.0 inside (inclusive), 4.5 outside; hold "all": breached
        ("reply-hours", "breached", 2, 3),
        ("satisfaction", "breached", 1, 2),  # range 10..20: latest 25 is outside
        ("stock-days", "met", 1, 1),  # at-least 100: 100 is inside (inclusive)
    ],
)
def test_band_goals(
    directions_site: dict, goal_id: str, status: str, inside: int, total: int
) -> None:
    goal = directions_site["goals"][goal_id]
    assert goal["status"] == status
    assert goal["progress"] is None
    assert goal["expected"] is None
    assert goal["band"]["inside"] == inside
    assert goal["band"]["total"] == total
    assert goal["inside"] == {"n": inside, "m": total}


def test_range_target_is_an_object(directions_site: dict) -> None:
    assert directions_site["goals"]["satisfaction"]["target"] == {"min": 10, "max": 20}


def test_smart_letters_false_true_and_none(tmp_path: Path) -> None:
    project = new_project(tmp_path, "lint:\n  ignore: [A]\n")
    vague = GOOD_GOAL.format(id="vague", kind="quantitative").replace(
        "Grow newsletter subscribers from 3,000 to 4,500 by 31 December 2027", "Improve engagement"
    )
    goals = vague + GOOD_GOAL.format(id="subs-qual", kind="qualitative")
    write_plan(project, "brand", plan_text(goals=goals))
    code, output = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 0, output
    document = json.loads((project / "site" / "plans.json").read_text(encoding="utf-8"))
    goals_by_id = {g["id"]: g for g in document["plans"][0]["goals"]}
    assert goals_by_id["vague"]["smart"]["S"] is False
    assert goals_by_id["subs-qual"]["smart"]["S"] is True
    assert goals_by_id["vague"]["smart"]["A"] is None  # no A rule selected
    page = (project / "site" / "brand.html").read_text(encoding="utf-8")
    assert "Specific: not met" in page
    assert "Achievable: not checked" in page
    assert "Specific: met" in page


# --- pages and links ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portfolio_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("portfolio")
    project = copy_project("portfolio", tmp)
    code, output = build(project, "--today", "2027-04-15", "--no-pdf")
    assert code == 0, output
    return project / "site"


def site_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def test_site_tree(portfolio_site: Path) -> None:
    assert site_files(portfolio_site) == [
        ".smartdoc-site",  # the marker: a build may replace this folder
        "assets/smartdoc.css",
        "index.html",
        "media/plans/images/growth.png",
        "northwind-social.html",
        "plans.json",
        "rules.html",
        "schema.json",
        "team/brand.html",
    ]
    schema = json.loads((portfolio_site / "schema.json").read_text(encoding="utf-8"))
    assert "goals" in schema["properties"]


HREF = re.compile(r'(?:href|src)="([^"]*)"')


def test_links_are_relative_and_resolve(portfolio_site: Path) -> None:
    for page in portfolio_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for url in HREF.findall(html):
            assert not url.startswith(("/", "http:", "https:", "file:")), (page, url)
            path = url.split("#", 1)[0]
            if path:
                assert (page.parent / path).resolve().is_file(), (page, url)


def test_subfolder_plan_page_uses_parent_prefix(portfolio_site: Path) -> None:
    html = (portfolio_site / "team" / "brand.html").read_text(encoding="utf-8")
    assert 'href="../assets/smartdoc.css"' in html
    assert 'href="../index.html"' in html
    assert 'href="../northwind-social.html#why-this-plan"' in html  # .md link rewritten


def test_index_lists_plans_counts_and_objectives(portfolio_site: Path) -> None:
    html = (portfolio_site / "index.html").read_text(encoding="utf-8")
    assert 'href="northwind-social.html"' in html
    assert 'href="team/brand.html"' in html
    assert "Be seen as a young, fresh brand by 20-49 year olds" in html
    assert 'href="team/brand.html#goal-aided-awareness"' in html
    assert "Off track" in html


def test_plan_page_content(portfolio_site: Path) -> None:
    html = (portfolio_site / "northwind-social.html").read_text(encoding="utf-8")
    assert "<h1>Northwind Coffee social media plan 2027</h1>" in html
    assert html.count('class="goal"') == 4
    assert html.count("smartdoc-chart--wide") == 4  # one chart per goal (and its narrow twin)
    assert 'class="smart"' in html
    # progress of a goal moving away: the figure is printed, the bar clamped to 0
    assert "−24%" in html
    assert 'style="width: 0.0%"' in html
    # phase table with thousands separators, the narrative image, findings with the rule link
    assert "12,000 followers" in html
    assert 'src="media/plans/images/growth.png"' in html
    assert 'href="rules.html#P104"' in html
    # Narrative headings start at h2 under the page's h1, tables render
    assert '<h2 id="why-this-plan">Why this plan</h2>' in html
    assert "<table>" in html


def test_headings_do_not_skip_levels(portfolio_site: Path) -> None:
    for page in portfolio_site.rglob("*.html"):
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page.read_text(encoding="utf-8"))]
        assert levels[0] == 1, page
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (page, levels)


def test_rules_page_lists_the_catalogue(portfolio_site: Path) -> None:
    from smartdoc.lint.registry import all_rules

    html = (portfolio_site / "rules.html").read_text(encoding="utf-8")
    for code, rule in all_rules().items():
        assert f'id="{code}"' in html
        assert f"{code}/{rule.name}" in html
    assert "<h4>What it checks</h4>" in html or "<h4>Why</h4>" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids repeat on the rules page"


def test_base_url_only_in_canonical_links(tmp_path: Path) -> None:
    project = copy_project("portfolio", tmp_path)
    code, output = build(
        project, "--today", "2027-04-15", "--no-pdf", "--base-url", "https://plans.example.org/sub/"
    )
    assert code == 0, output
    html = (project / "site" / "team" / "brand.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://plans.example.org/sub/team/brand.html">' in html
    assert html.count("https://plans.example.org") == 2  # canonical and og:url


def test_drafts_left_out_unless_asked(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    write_plan(project, "public", plan_text("Public plan 2027"))
    write_plan(project, "secret", plan_text("Secret plan 2027", extra="draft: true"))
    code, output = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 0, output
    assert not (project / "site" / "secret.html").exists()
    assert "Secret plan" not in (project / "site" / "index.html").read_text(encoding="utf-8")
    code, output = build(project, "--today", "2027-04-01", "--no-pdf", "--drafts")
    assert code == 0, output
    page = (project / "site" / "secret.html").read_text(encoding="utf-8")
    assert "banner--draft" in page


def test_errors_refuse_the_build_and_keep_the_site(tmp_path: Path) -> None:
    from smartdoc.site.publish import tree_digest

    project = new_project(tmp_path)
    write_plan(project, "a", plan_text("Plan A 2027"))
    code, _ = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 0
    before = tree_digest(project / "site")
    write_plan(project, "b", plan_text("Plan B 2027").replace("2027-12-31}", "2027-04-31}", 1))
    code, output = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 1
    assert "plans/b.md:" in output and "E109" in output
    assert tree_digest(project / "site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def test_narrative_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    from smartdoc.site.publish import tree_digest

    project = new_project(tmp_path)
    body = "# Links\n\nSee [the other plan](missing-plan.md).\n\n![chart](img/missing.png)\n"
    write_plan(project, "a", plan_text("Plan A 2027"), body)
    code, output = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 0, output
    body_start = (project / "plans" / "a.md").read_text(encoding="utf-8").split("\n").index(
        "# Links"
    ) + 1
    assert f"plans/a.md:{body_start + 2}:1: E120/narrative-reference [warning]" in output
    assert "missing-plan.md" in output
    assert f"plans/a.md:{body_start + 4}:1:" in output and "missing image" in output
    before = tree_digest(project / "site")
    code, output = build(project, "--today", "2027-04-01", "--no-pdf", "--strict")
    assert code == 1
    assert "E120" in output
    assert tree_digest(project / "site") == before


def test_images_outside_the_project_are_refused(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = "![a](../../outside.png)\n\n![b](file:///etc/hostname)\n"
    write_plan(project, "a", plan_text("Plan A 2027"), body)
    code, output = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 0, output
    assert output.count("E120") == 2
    assert not (project / "site" / "media").exists()
    html = (project / "site" / "a.html").read_text(encoding="utf-8")
    assert "<img" not in html  # both shown as their alt text; the warnings name them


def test_reserved_page_name_is_refused(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    write_plan(project, "index", plan_text("Index plan 2027"))
    code, output = build(project, "--today", "2027-04-01", "--no-pdf")
    assert code == 2
    assert "plans/index.md" in output and "rename" in output
    assert not (project / "site").exists()


def test_deleted_plan_page_disappears(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    write_plan(project, "a", plan_text("Plan A 2027"))
    write_plan(project, "team/b", plan_text("Plan B 2027"))
    assert build(project, "--today", "2027-04-01", "--no-pdf")[0] == 0
    assert (project / "site" / "team" / "b.html").exists()
    (project / "plans" / "team" / "b.md").unlink()
    assert build(project, "--today", "2027-04-01", "--no-pdf")[0] == 0
    assert not (project / "site" / "team").exists()
    assert "Plan B" not in (project / "site" / "index.html").read_text(encoding="utf-8")


def test_site_is_world_readable(portfolio_site: Path) -> None:
    for path in [portfolio_site, *portfolio_site.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), path


# --- reproducibility ------------------------------------------------------------------------


def run_cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ")}
    environ.update(PYTHONPATH=str(REPO), **env)
    return subprocess.run(
        [sys.executable, "-m", "smartdoc.cli", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_rebuilds_are_byte_identical(tmp_path: Path) -> None:
    from smartdoc.site.publish import tree_digest

    project = copy_project("portfolio", tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = str(project / "smartdoc.yml")
    first = run_cli(
        ["build", "-c", config, "-d", str(tmp_path / "one"), "--no-pdf"],
        project,
        SOURCE_DATE_EPOCH=EPOCH,
        PYTHONHASHSEED="1",
        TZ="UTC",
    )
    second = run_cli(
        ["build", "-c", config, "-d", str(tmp_path / "two"), "--no-pdf"],
        elsewhere,
        SOURCE_DATE_EPOCH=EPOCH,
        PYTHONHASHSEED="4242",
        TZ="Pacific/Kiritimati",
    )
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    one, two = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "two")
    assert one == two
    assert len(one) >= 8
    for path in (tmp_path / "one").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".css"):
            text = path.read_text(encoding="utf-8")
            assert str(tmp_path) not in text and str(REPO) not in text, path
            assert "/root" not in text and "/home/" not in text, path
    assert '"today": "2027-04-15"' in (tmp_path / "one" / "plans.json").read_text(encoding="utf-8")
    assert (tmp_path / "one" / "index.html").stat().st_mtime == int(EPOCH)
